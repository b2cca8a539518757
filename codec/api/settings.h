// Checks and helpers shared by the encoder and the decoder of the C API.
#pragma once

#include "common/frame.h"
#include "vaec/vaec.h"

namespace vaec::api {

// Checks the fields common to encoder and decoder; throws std::invalid_argument.
void validate_common_settings(const VaecSettings& s);

// Runs a context's call with the context's own thread setting (0 = all cores). LibTorch keeps
// its thread count per process (per calling thread with OpenMP), so every call of a context
// that computes sets it again on entry: two contexts with different settings never run with
// each other's. The count stays set in the calling thread afterwards (vaec.h says so).
class ThreadScope {
 public:
  explicit ThreadScope(int threads);
};

// Copies a caller's picture (any strides) into a packed Frame; throws std::invalid_argument.
void copy_picture(const VaecPicture& picture, int width, int height, Frame* out);
// Points a VaecPicture at a Frame's planes (the Frame keeps ownership).
void describe_frame(const Frame& frame, VaecPicture* out);

}  // namespace vaec::api
