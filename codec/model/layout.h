// Frame <-> network tensor layout (docs/architecture.md "Decisions"): luma is split 2x2 into four channels
// (space-to-depth) and concatenated with U and V, giving 6 channels at half resolution.
// Samples are normalised to [-0.5, 0.5].
#pragma once

#include <ATen/ATen.h>

#include "common/frame.h"

namespace vaec::model {

// [1, 6, ceil(h/2), ceil(w/2)] float32. Odd luma sizes replicate the last row/column.
at::Tensor frame_to_tensor(const Frame& frame);

// The encoder's input in one pass: pad_to_multiple(frame_to_tensor(frame), multiple) but
// channels-last (what the transforms run on), without intermediate tensors.
at::Tensor frame_to_padded_tensor(const Frame& frame, int64_t multiple);

// Inverse of frame_to_tensor for a [1, 6, h', w'] tensor with h' >= ceil(height/2) etc.;
// extra rows/columns (padding) are cropped, samples rounded and clamped to 8 bits.
Frame tensor_to_frame(const at::Tensor& t, int width, int height);

// Writes a [1, 6, h', w'] tensor whose top-left sample sits at half-resolution position
// (row0, col0) into an allocated frame, cropping whatever falls outside it. Reads NCHW or
// channels-last tensors in place.
void write_tensor_region(const at::Tensor& t, int row0, int col0, Frame* frame);

// Replicate-pads the bottom/right of an NCHW tensor so H and W are multiples of `multiple`.
at::Tensor pad_to_multiple(const at::Tensor& x, int64_t multiple);

}  // namespace vaec::model
