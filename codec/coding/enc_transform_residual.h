// Encoder side of the transform residual (coding/transform_residual.h): forward DCT,
// quantization with a dead zone, and a rate-distortion choice of which blocks to code.
#pragma once

#include <cstdint>
#include <vector>

#include "common/frame.h"

namespace vaec::coding {

struct TransformResidual {
  std::vector<uint8_t> bytes;  // the residual payload
  Frame picture;               // what the decoder shows: the prediction plus the residual
};

// The price of distortion: bits per unit of squared error of one luma / one chroma sample.
struct SampleLambdas {
  double luma = 0, chroma = 0;
};

// The qp whose step suits that price (a uniform quantizer's high-rate slope,
// dD/dR = 2 ln2 step^2 / 12 per coefficient), within 0..kMaxTransformQp.
int transform_qp(const SampleLambdas& lambdas);

// Codes original - prediction with `qp`. A block is coded only where its distortion saving
// pays for its bits at `lambdas`. `optimise` chooses each level by its rate and distortion
// (slower presets) instead of rounding with a dead zone.
TransformResidual encode_transform_residual(const Frame& original, const Frame& prediction, int qp,
                                            const SampleLambdas& lambdas, bool optimise = false);

}  // namespace vaec::coding
