# Built by scripts/build-malloc-trim.sh (make setup) against the local Node's headers.
{
  "targets": [
    {
      "target_name": "malloc_trim",
      "sources": ["malloc_trim.c"],
      "cflags": ["-O2"]
    }
  ]
}
