// The synthesis transform g_s in integer arithmetic: the decoded picture is specified to the bit
// (docs/bitstream.md "Integer synthesis"), identical on every thread count, process, build and
// instruction set (common/cpu.h), so later stages may predict from decoded pixels. No LibTorch
// here; model/quantize_synthesis.* makes the parameters from a trained float g_s at export.
//
// The network is g_s's fixed shape: conv1 (3x3, M -> 4S) + shuffle, IGDN (S), conv2 (3x3,
// S -> 4S) + shuffle, IGDN (S), conv3 (3x3, S -> 24) + shuffle to the 6 half-resolution
// channels of model/layout.h, already as 8-bit samples. Activations are int16 in
// [-32767, 32767] with a fixed-point position per activation point; products are summed in
// 32 bits modulo 2^32 (what vpmaddwd/vpdpwssd do; defined in C++ through unsigned arithmetic).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/cpu.h"
#include "common/frame.h"

namespace vaec::model {

constexpr int kSynthesisQualities = 100;  // the inverse-gain table has one row per quality 1..100
constexpr int kActivationMax = 32767;     // activations are clamped to [-32767, 32767]

// A 3x3 convolution (stride 1, zero padding 1) followed by pixel_shuffle(2). Output channel
// o = phase * (out / 4) + c is channel c of output pixel (2y + phase / 2, 2x + phase % 2)
// ("phase-major"; the float network's order is c * 4 + phase).
struct IntegerSubPixelConv {
  int in = 0, out = 0;
  std::vector<int16_t> weight;  // [out][in][3][3], each in [-32767, 32767]
  std::vector<int32_t> bias;    // [out]
  std::vector<uint8_t> shift;   // [out], 1..24: out = clamp((acc + 2^(shift-1)) >> shift)
};

// Inverse GDN: y_i = x_i * sqrt(beta_i + sum_j gamma_ij x_j^2), with the squares exact and the
// sums in 64 bits (exact: they cannot exceed 2^56), root = isqrt(sum).
struct IntegerIgdn {
  int channels = 0;
  std::vector<int16_t> gamma;  // [C][C], each in [0, 32767]
  std::vector<int64_t> beta;   // [C], in [0, 2^56)
  std::vector<uint8_t> shift;  // [C], 1..62: y = clamp((x * root + 2^(shift-1)) >> shift)
};

constexpr int kInverseGainFracBits = 20;  // the inverse-gain table is Q20

struct IntegerSynthesisParams {
  int latent_channels = 0;           // M
  int hidden_channels = 0;           // S
  std::vector<int32_t> inverse_gain; // [kSynthesisQualities][M], Q20, each in [1, 2^30]
  int input_shift = 0;               // 1..40: a = clamp((y_q10 * gain + 2^(s-1)) >> s)
  IntegerSubPixelConv conv[3];
  IntegerIgdn igdn[2];
};

class IntegerSynthesis {
 public:
  IntegerSynthesis() = default;
  // Checks every shape and range the arithmetic relies on; throws std::invalid_argument
  // naming the first that fails (a damaged or hostile model file is refused here).
  explicit IntegerSynthesis(IntegerSynthesisParams params);
  bool empty() const { return params_.latent_channels == 0; }
  const IntegerSynthesisParams& params() const { return params_; }

  // Latent rectangle rows [row0, row1) x columns [col0, col1) of the Q10 latents
  // y_hat_q10 [M][height][width]; zero outside the rectangle, as at the frame's edges.
  struct Region {
    int row0, row1, col0, col1;
  };
  // Synthesises `r` at `quality` and writes the samples of `write` (a part of `r`; 8 per latent
  // in each direction at half resolution) into `frame`, cropped to the frame. `threads` and
  // `cpu` change only speed.
  void run(const int64_t* y_hat_q10, int height, int width, const Region& r, const Region& write, int quality,
           CpuLevel cpu, int threads, Frame* frame) const;

  // The last layer over the whole frame, before its rounding: `input` receives its input (the
  // activations after the second IGDN, [4 * height][4 * width][S], channels last) and `sums`
  // each output's sum with its bias, modulo 2^32 ([4 * height][4 * width][24]; output o =
  // phase * 6 + channel, the sample then being clamp((sum + 2^(shift-1)) >> shift, 0, 255)).
  // What an encoder fits a synthesis update on (model/synthesis_update.h); `threads` and
  // `cpu` change only speed.
  void last_layer(const int64_t* y_hat_q10, int height, int width, int quality, CpuLevel cpu, int threads,
                  std::vector<int16_t>* input, std::vector<int32_t>* sums) const;

  // This synthesis with another last layer (same shape; checked as the constructor does), the
  // other layers' packed weights copied rather than rebuilt.
  IntegerSynthesis with_last_layer(IntegerSubPixelConv last) const;

 private:
  // conv1, IGDN, conv2, IGDN over `r`: the last layer's input with a zero border of one sample
  // ([4 rows + 2][4 columns + 2][S]).
  std::vector<int16_t> hidden(const int64_t* y_hat_q10, int height, int width, const Region& r, int quality,
                              CpuLevel cpu, int threads) const;
  IntegerSynthesisParams params_;
  // Weights re-ordered for each kernel family (built once at construction).
  struct Packed {
    std::vector<int16_t> generic;  // [k*k][in][out]
    std::vector<int16_t> pairs;    // [k*k][in/2][out][2] (vpmaddwd / vpdpwssd)
  };
  Packed conv_[3];
  std::vector<int32_t> conv_shift_[3];  // the shifts as int32 (fused epilogues load them as vectors)
  std::vector<int32_t> gamma_[2];  // [in][out] (IgdnNormKernel)
};

// The integer kernels, one set per instruction-set level (integer_kernels_*.cpp). Each computes
// raw sums: acc[x][o] = sum over ky, kx < k, i < in of w * src[(row + ky) * row_stride +
// (x + kx) * in + i] modulo 2^32, for x in [0, width); `src` points at the rectangle's padded
// row (padding included), out counts the output channels (a multiple of 8), in is even.
struct ConvRowArgs {
  const int16_t* src;
  ptrdiff_t row_stride;  // int16 elements between padded rows
  int width, in, out, k;
  const int16_t* weight;  // packed for this level
  int32_t* acc;           // [width][out]
  // The fused epilogue of a hidden sub-pixel convolution (SIMD levels only, out/4 a multiple of
  // 8): with `bias` set, the kernel writes clamp(rshift(acc + bias, shift), -32767, 32767) to
  // channel o % (out/4) of position 2x + phase % 2 in row dst[phase / 2] (phase = o / (out/4);
  // channels last) after filling `acc`.
  const int32_t* bias = nullptr;
  const int32_t* shift = nullptr;
  int16_t* dst[2] = {nullptr, nullptr};
  // The last layer's epilogue instead (any out/4): clamp to 0..255 and write 8-bit samples the
  // same way into pixels[phase / 2].
  uint8_t* pixels[2] = {nullptr, nullptr};
};
using ConvRowKernel = void (*)(const ConvRowArgs&);
ConvRowKernel conv_row_kernel(CpuLevel level);  // level already resolved (not kAuto)

// IGDN of one row of positions in place (IntegerIgdn): squares exact, sums exact in 64 bits
// (squares < 2^30, gamma < 2^15, channels <= 1024, beta < 2^56), root = isqrt(sum), then
// x = clamp((x * root + 2^(shift-1)) >> shift). Every level computes the same integers.
struct IgdnRowArgs {
  int16_t* x;              // [width][channels]
  int width, channels;     // channels: a multiple of 8
  const int32_t* gamma;    // [channels (in)][channels (out)]
  const int64_t* beta;     // [channels]
  const uint8_t* shift;    // [channels]
  int64_t* squares;        // scratch, [width][channels]
  int64_t* norm;           // scratch, [width][channels]
};
using IgdnRowKernel = void (*)(const IgdnRowArgs&);
IgdnRowKernel igdn_row_kernel(CpuLevel level);
bool kernel_uses_pairs(CpuLevel level);         // which packing the kernel reads (and fuses epilogues)

// floor(sqrt(n)), exact.
uint32_t isqrt64(uint64_t n);

}  // namespace vaec::model
