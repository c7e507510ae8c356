// The agent console (server/desk/*), compiled into the binary by the build
// (cmake/embed_files.cmake) so that kefu-server is one self-contained file.
#pragma once

#include <cstddef>

namespace kefu::server {

struct EmbeddedFile {
  const char* name;  // file name inside server/desk/, e.g. "desk.js"
  const unsigned char* data;
  size_t size;
};

extern const EmbeddedFile kDeskFiles[];
extern const size_t kDeskFileCount;

}  // namespace kefu::server
