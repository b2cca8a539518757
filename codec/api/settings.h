// Checks and helpers shared by the encoder and the decoder of the C API.
#pragma once

#include "common/frame.h"
#include "vaec/vaec.h"

namespace vaec::api {

// Checks the fields common to encoder and decoder; throws std::invalid_argument.
void validate_common_settings(const VaecSettings& s);

// A context's thread setting as a count (0: all cores).
int resolved_threads(int threads);

// Copies a caller's picture (any strides) into a packed Frame; throws std::invalid_argument.
void copy_picture(const VaecPicture& picture, int width, int height, Frame* out);
// Points a VaecPicture at a Frame's planes (the Frame keeps ownership).
void describe_frame(const Frame& frame, VaecPicture* out);

}  // namespace vaec::api
