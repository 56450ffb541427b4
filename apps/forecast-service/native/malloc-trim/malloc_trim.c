/*
 * mallocTrim(): glibc's malloc_trim(0), for the forecast service (src/memory-trim.ts).
 *
 * After a load peak the worker threads' glibc arenas keep the freed chunks of the largest
 * micro-batches as resident memory (docs/service.md, "Memory after a load peak"). malloc_trim(0)
 * walks every arena, not only the calling thread's, and returns their free pages to the kernel;
 * Node has no call to it, hence this addon. Elsewhere than glibc it does nothing and says so.
 */
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* true when memory was returned to the kernel, false when none could be (or not glibc). */
static napi_value MallocTrim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#if defined(__GLIBC__)
  released = malloc_trim(0);
#endif
  napi_value result;
  napi_get_boolean(env, released != 0, &result);
  return result;
}

/* Whether the call does anything on this platform. */
static napi_value Supported(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
#if defined(__GLIBC__)
  napi_get_boolean(env, true, &result);
#else
  napi_get_boolean(env, false, &result);
#endif
  return result;
}

NAPI_MODULE_INIT() {
  napi_value trim, supported;
  napi_create_function(env, "mallocTrim", NAPI_AUTO_LENGTH, MallocTrim, NULL, &trim);
  napi_set_named_property(env, exports, "mallocTrim", trim);
  napi_create_function(env, "supported", NAPI_AUTO_LENGTH, Supported, NULL, &supported);
  napi_set_named_property(env, exports, "supported", supported);
  return exports;
}
