// faiss-node 0.5.1 was written against faiss 1.7.4, where idx_t is a namespace-level
// alias; Debian's faiss 1.7.3 only has faiss::Index::idx_t. Force-included by binding.gyp.
#pragma once
#include <faiss/Index.h>
namespace faiss {
using idx_t = Index::idx_t;
}
