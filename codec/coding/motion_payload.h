// Motion P-frames (bitstream 3.x), what encoder and decoder share (coding/enc_motion.h codes,
// coding/dec_motion.h parses): a P-frame predicted from the previous decoded picture by block
// motion (coding/motion.h), optionally plus a residual: a picture coded by the intra VAE, or
// (3.1) transform-coded blocks (coding/transform_residual.h).
//
//   payload = 0xFF (kMotionPayloadMarker; a latent P-frame starts with its quality, 1..100)
//           · quality (1 byte, 1..100: the frame's, and the residual's when there is one)
//           · flags (0: none; 1: an intra residual follows; 2: a transform residual follows;
//             any other value is corrupt)
//           · scale_x · scale_y (Gaussian table indices 0..63)
//           · substream(rANS: for each block in raster order, x then y of vector − predicted
//             vector, x with table scale_x, y with scale_y; since 4.0 one lane whatever its
//             length: eight lanes' states cost 56 bytes, most of a skipped frame)
//           [· intra residual: an I-frame payload without refinement (coding/intra_payload.h)
//              whose quality byte equals the frame's]
//           [· transform residual (coding/transform_residual.h)]
//
//   picture = prediction                                          (no residual)
//           = clamp(prediction + synthesis(residual) − 128, 0, 255)  (intra residual)
//           = clamp(prediction + inverse transform(levels), 0, 255)  (transform residual)
//
// A motion P-frame leaves the latent reference (coding/reference.h) as it was: a latent
// P-frame after it still codes against the last I- or latent P-frame's latents. Both sides
// keep the same two references, so every picture is exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "coding/motion.h"
#include "common/status.h"

namespace vaec::coding {

constexpr uint8_t kMotionPayloadMarker = 0xFF;
// The flags byte: which residual follows the vectors.
enum class MotionResidual : uint8_t { kNone = 0, kIntra = 1, kTransform = 2 };

// The quality of any frame payload (I, latent P or motion P), 0 when it has none.
int payload_quality(const uint8_t* data, size_t size);

// The field's differences from their predicted vectors, block by block: x and y interleaved.
std::vector<int32_t> vector_differences(const MotionField& field);

// Appends scale_x · scale_y · substream(one-lane rANS of the differences), scales fitted to
// them (bitstream 4.x).
void append_motion_field(const MotionField& field, std::vector<uint8_t>* payload);

// Reads what append_motion_field wrote into `field` (already sized for the picture): from
// data[0..size), setting *used to the bytes read. `one_lane`: a 4.x stream's field (3.x
// streams use entropy::rans_lanes lanes). Vectors beyond kMaxMotionQpel are corrupt.
Status read_motion_field(const uint8_t* data, size_t size, bool one_lane, MotionField* field, size_t* used);

}  // namespace vaec::coding
