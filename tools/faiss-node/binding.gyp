# Builds faiss-node's own src/faiss.cc against Debian's libfaiss-dev instead of the
# upstream install script, which clones GitHub (unreachable here). Copied into
# node_modules/faiss-node by scripts/build-faiss-node.sh before node-gyp runs.
{
  "targets": [
    {
      "target_name": "faiss-node",
      "sources": ["src/faiss.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      # -frtti is not optional: without it write()/toBuffer() segfault inside libfaiss.
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-fopenmp", "-O3",
                    "-include", "<(module_root_dir)/faiss-compat.h"],
      "libraries": ["-lfaiss", "-lblas", "-llapack", "-lgomp"]
    }
  ]
}
