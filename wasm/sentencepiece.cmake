# kefu_sentencepiece: sentencepiece's encoder/decoder (no trainer, no CLI tools) as a static
# library for wasm, from the Debian source that scripts/setup.sh unpacks into third_party/.
# Our own target list rather than add_subdirectory: upstream's CMake adds -pthread, shared
# libraries, tcmalloc probing and executables that a single-threaded wasm build cannot use.
# Linked into kefu_core (the translator). Compiled in Emscripten's default mode (throw allowed,
# catching disabled), not -fno-exceptions: darts_clone's header uses try/catch/throw
# unconditionally. Its throws are for std::bad_alloc and malformed trie keys, which a loaded
# model cannot produce; sentencepiece_no_throw.cc turns such a throw into abort() so kefu-core
# still links with -fno-exceptions and carries no exception runtime or JS glue.
set(spm "${KEFU_SPM_DIR}")
file(STRINGS "${spm}/VERSION.txt" KEFU_SPM_VERSION)
set(PROJECT_NAME_SAVED "${PROJECT_NAME}")
set(PROJECT_VERSION "${KEFU_SPM_VERSION}")
set(PROJECT_NAME "sentencepiece")
configure_file("${spm}/config.h.in" "${CMAKE_CURRENT_BINARY_DIR}/sentencepiece/config.h")
set(PROJECT_NAME "${PROJECT_NAME_SAVED}")
set(PROJECT_VERSION "${kefu_VERSION}")

set(spm_protobuf_lite
  arena arenastring bytestream coded_stream common extension_set generated_enum_util
  generated_message_table_driven_lite generated_message_util implicit_weak_message int128
  io_win32 message_lite parse_context repeated_field status statusor stringpiece stringprintf
  structurally_valid strutil time wire_format_lite zero_copy_stream zero_copy_stream_impl
  zero_copy_stream_impl_lite)
list(TRANSFORM spm_protobuf_lite PREPEND "${spm}/third_party/protobuf-lite/")
list(TRANSFORM spm_protobuf_lite APPEND ".cc")
set(spm_sources
  bpe_model char_model error filesystem model_factory model_interface normalizer
  sentencepiece_processor unigram_model util word_model
  builtin_pb/sentencepiece.pb builtin_pb/sentencepiece_model.pb)
list(TRANSFORM spm_sources PREPEND "${spm}/src/")
list(TRANSFORM spm_sources APPEND ".cc")

add_library(kefu_sentencepiece STATIC ${spm_protobuf_lite} ${spm_sources}
  "${spm}/third_party/absl/flags/flag.cc" sentencepiece_no_throw.cc)
target_include_directories(kefu_sentencepiece
  PUBLIC "${spm}/src"
  PRIVATE "${CMAKE_CURRENT_BINARY_DIR}/sentencepiece" "${spm}" "${spm}/src/builtin_pb"
          "${spm}/third_party/protobuf-lite" "${spm}/third_party")
target_compile_definitions(kefu_sentencepiece PRIVATE
  _USE_INTERNAL_STRING_VIEW  # upstream's own string_view, as its CMake does
  HAVE_PTHREAD=1)            # protobuf-lite's once/mutex; single-threaded stubs in wasm
target_compile_options(kefu_sentencepiece PRIVATE
  ${KEFU_WASM_OPT}   # same optimisation level as kefu-core
  -msimd128          # same target features as kefu-core, so the two can be linked
  -Wno-sign-compare -Wno-deprecated-declarations)  # third-party code: not ours to fix
