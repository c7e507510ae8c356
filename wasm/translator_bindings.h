// The Assistant's translation methods for Embind (defined in translator_bindings.cc beside the
// TranslationJob binding, registered with the rest of class Assistant in assistant_bindings.cc).
#ifndef KEFU_WASM_TRANSLATOR_BINDINGS_H_
#define KEFU_WASM_TRANSLATOR_BINDINGS_H_

#include <emscripten/val.h>

#include <string>

#include "kefu/assistant.h"

namespace kefu {
namespace wasm {

// {ok:true, value:null} or {ok:false, code, message}; shortlist: shortlist.bin bytes, or
// undefined / null for none.
emscripten::val loadTranslationModel(Assistant& a, const std::string& lang,
                                     const std::string& bytes, const emscripten::val& shortlist);
// {ok:true, value: TranslationJob} or {ok:false, code, message}; options: object, JSON text or
// undefined.
emscripten::val beginTranslation(Assistant& a, const std::string& text, const std::string& from,
                                 const std::string& to, const emscripten::val& options);

}  // namespace wasm
}  // namespace kefu

#endif  // KEFU_WASM_TRANSLATOR_BINDINGS_H_
