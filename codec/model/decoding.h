// The decoder's steps with a model, as exact integer code without LibTorch:
//
//   hyper_params(z)          -> means and scale indices of y (the integer h_s)
//   entropy-decode v with those indices (coding/)
//   latents_q10(v, params)   -> y_hat * 1024 = v * 1024 + mean_q, what P-frames predict from
//   synthesise_q10(y_hat)    -> the picture (the integer synthesis, docs/bitstream.md §9)
//
// The encoder (model/intra.h) runs the same functions on the same integers, so both sides
// hold identical references and pictures on every machine.
#pragma once

#include <cstddef>  // before common/frame.h, which uses size_t
#include <cstdint>
#include <vector>

#include "common/frame.h"
#include "model/decoding_model.h"

namespace vaec::model {

struct LatentShape {
  int channels = 0, height = 0, width = 0;
  size_t size() const { return size_t(channels) * height * width; }
};

// Shapes for a frame of width x height luma pixels (padded to kLumaMultiple); throw
// std::invalid_argument for a size beyond common/limits.h.
LatentShape y_shape(const DecodingModel& m, int width, int height);
LatentShape z_shape(const DecodingModel& m, int width, int height);

// Entropy parameters from decoded z: runs the integer h_s. `threads` only changes speed.
HyperParams hyper_params(const DecodingModel& m, const std::vector<int32_t>& z, const LatentShape& zs,
                         int threads = 1);
// The Gaussian table of every y element.
std::vector<int32_t> scale_indices(const HyperParams& p);

// y_hat = v + mean in Q10 (exact integers): what synthesis decodes and P-frames predict from.
std::vector<int64_t> latents_q10(const std::vector<int32_t>& y, const HyperParams& params);

// The picture of Q10 latents y_hat * 1024 (shape y_shape(width, height)), by the integer
// synthesis; `threads` only changes speed. model/incremental_synthesis.h gives the same
// pixels, reusing unchanged areas. `synthesis`: another integer synthesis of m's shape (a GOP's
// with its synthesis update, model/synthesis_update.h); null: m's own.
Frame synthesise_q10(const DecodingModel& m, const std::vector<int64_t>& y_hat_q10, int width, int height,
                     int quality, int threads, const IntegerSynthesis* synthesis = nullptr);

}  // namespace vaec::model
