// Decoder side of the transform residual (syntax and reconstruction: coding/transform_residual.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/frame.h"
#include "common/status.h"

namespace vaec::coding {

// Decodes a transform residual (all of data[0..size)) onto `prediction`, giving *picture.
// Malformed data gives an error status, never undefined behaviour.
Status decode_transform_residual(const uint8_t* data, size_t size, const Frame& prediction, Frame* picture);

}  // namespace vaec::coding
