// kefu-core links with -fno-exceptions (no exception runtime, no JS glue), but sentencepiece's
// darts_clone header throws unconditionally (std::bad_alloc and malformed trie keys, which a
// loaded model cannot produce). These two definitions satisfy its `throw` sites: a throw aborts
// the module, as an out-of-memory does. Nothing in kefu_core throws.
#include <cstddef>
#include <cstdlib>

extern "C" {
void* __cxa_allocate_exception(std::size_t) { std::abort(); }
void __cxa_throw(void*, void*, void (*)(void*)) { std::abort(); }
}
