#include "coding/enc_synthesis_update.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "bitstream/substreams.h"
#include "coding/synthesis_update_payload.h"
#include "model/decoding.h"
#include "model/synthesis_update.h"

namespace vaec::coding {

namespace {

constexpr int kPixelChannels = 6;  // model/layout.h: 4 luma phases, U, V

// The normal equations of every output's least-squares fit. Features: the S activations at
// the kernel's centre and a constant 1 (the bias); G is shared, b is per output.
struct NormalEquations {
  int n = 0;                           // S + 1
  std::vector<double> gram;            // [n][n]
  std::vector<std::vector<double>> b;  // [outputs][n]
  double positions = 0;
};

// Solves (G + ridge diag(G) + tiny) x = b for each right-hand side by Gaussian elimination.
std::vector<std::vector<double>> solve(const NormalEquations& eq, double ridge) {
  const int n = eq.n;
  double mean_diagonal = 0;
  for (int i = 0; i < n; ++i) mean_diagonal += eq.gram[size_t(i) * n + i] / n;
  std::vector<double> a(eq.gram);
  for (int i = 0; i < n; ++i) a[size_t(i) * n + i] += ridge * eq.gram[size_t(i) * n + i] + 1e-9 * mean_diagonal + 1e-12;
  std::vector<std::vector<double>> x(eq.b);
  for (int col = 0; col < n; ++col) {
    int pivot = col;
    for (int r = col + 1; r < n; ++r)
      if (std::abs(a[size_t(r) * n + col]) > std::abs(a[size_t(pivot) * n + col])) pivot = r;
    if (pivot != col) {
      for (int k = 0; k < n; ++k) std::swap(a[size_t(col) * n + k], a[size_t(pivot) * n + k]);
      for (auto& rhs : x) std::swap(rhs[col], rhs[pivot]);
    }
    const double d = a[size_t(col) * n + col];
    for (int r = col + 1; r < n; ++r) {
      const double f = a[size_t(r) * n + col] / d;
      if (f == 0) continue;
      for (int k = col; k < n; ++k) a[size_t(r) * n + k] -= f * a[size_t(col) * n + k];
      for (auto& rhs : x) rhs[r] -= f * rhs[col];
    }
  }
  for (auto& rhs : x)
    for (int r = n - 1; r >= 0; --r) {
      double s = rhs[r];
      for (int k = r + 1; k < n; ++k) s -= a[size_t(r) * n + k] * rhs[k];
      rhs[r] = s / a[size_t(r) * n + r];
    }
  return x;
}

// Accumulates the normal equations of the last layer on `input`: the target of output o at
// activation position p is the input sample it makes, times 2^shift_o, minus what it makes now.
NormalEquations normal_equations(const model::IntegerSynthesis& synthesis, const std::vector<int16_t>& act, int rows,
                                 int cols, const Frame& input) {
  const model::IntegerSubPixelConv& last = synthesis.params().conv[2];
  const int S = last.in, O = last.out, C = O / 4;
  NormalEquations eq;
  eq.n = S + 1;
  eq.gram.assign(size_t(eq.n) * eq.n, 0);
  eq.b.assign(O, std::vector<double>(eq.n, 0));
  // Weights as [tap][o][i] for the current outputs.
  std::vector<int32_t> w(size_t(9) * O * S);
  for (int o = 0; o < O; ++o)
    for (int i = 0; i < S; ++i)
      for (int t = 0; t < 9; ++t) w[(size_t(t) * O + o) * S + i] = last.weight[(size_t(o) * S + i) * 9 + t];
  const int luma_w = input.width, cw = Frame::chroma_extent(input.width);
  std::vector<double> x(eq.n), r(O);
  std::vector<int64_t> v(O);
  for (int y = 0; y < rows; ++y)
    for (int xp = 0; xp < cols; ++xp) {
      // Only positions whose 4x4 luma block lies inside the picture (the rest is padding).
      if (4 * y + 3 >= input.height || 4 * xp + 3 >= input.width) continue;
      for (int o = 0; o < O; ++o) v[o] = last.bias[o];
      for (int t = 0; t < 9; ++t) {
        const int yy = y + t / 3 - 1, xx = xp + t % 3 - 1;
        if (yy < 0 || xx < 0 || yy >= rows || xx >= cols) continue;
        const int16_t* a = act.data() + (size_t(yy) * cols + xx) * S;
        for (int o = 0; o < O; ++o) {
          const int32_t* wo = w.data() + (size_t(t) * O + o) * S;
          int64_t s = 0;
          for (int i = 0; i < S; ++i) s += int64_t(wo[i]) * a[i];
          v[o] += s;
        }
      }
      for (int o = 0; o < O; ++o) {
        const int phase = o / C, ch = o % C;
        const int hy = 2 * y + phase / 2, hx = 2 * xp + phase % 2;
        const int target = ch < 4 ? input.planes[0][size_t(2 * hy + ch / 2) * luma_w + 2 * hx + ch % 2]
                                  : input.planes[ch - 3][size_t(hy) * cw + hx];
        r[o] = std::ldexp(double(target), last.shift[o]) - double(v[o]);
      }
      const int16_t* a = act.data() + (size_t(y) * cols + xp) * S;
      for (int i = 0; i < S; ++i) x[i] = a[i];
      x[S] = 1;
      for (int i = 0; i < eq.n; ++i) {
        double* g = eq.gram.data() + size_t(i) * eq.n;
        for (int k = 0; k <= i; ++k) g[k] += x[i] * x[k];
      }
      for (int o = 0; o < O; ++o)
        for (int i = 0; i < eq.n; ++i) eq.b[o][i] += x[i] * r[o];
      eq.positions += 1;
    }
  for (int i = 0; i < eq.n; ++i)
    for (int k = i + 1; k < eq.n; ++k) eq.gram[size_t(i) * eq.n + k] = eq.gram[size_t(k) * eq.n + i];
  return eq;
}

// Bits of coding `level` with a discretised Gaussian of deviation sigma (coding/payload_common.h's
// tables, approximately).
double level_bits(int32_t level, double sigma) {
  const double a = (std::abs(double(level)) - 0.5) / sigma, b = (std::abs(double(level)) + 0.5) / sigma;
  const double p = level == 0 ? std::erf(b / std::sqrt(2.0)) : 0.5 * (std::erfc(a / std::sqrt(2.0)) - std::erfc(b / std::sqrt(2.0)));
  return -std::log2(std::max(p, 1.0 / 65536));
}

}  // namespace

FittedSynthesisUpdate fit_synthesis_update(const model::DecodingModel& m, const Frame& input,
                                           const std::vector<int64_t>& y_hat_q10, int quality,
                                           const SampleLambdas& lambdas, double distortion_weight, int threads) {
  const model::IntegerSynthesis& base = m.integer_synthesis();
  const model::LatentShape ys = model::y_shape(m, input.width, input.height);
  if (y_hat_q10.size() != ys.size()) throw std::invalid_argument("synthesis update: latents do not match the frame");
  const int rows = 4 * ys.height, cols = 4 * ys.width;
  const std::vector<int16_t> act =
      base.last_layer_input(y_hat_q10.data(), ys.height, ys.width, quality, m.cpu_level(), threads);
  const NormalEquations eq = normal_equations(base, act, rows, cols, input);
  FittedSynthesisUpdate best;
  if (eq.positions == 0) return best;

  const model::IntegerSubPixelConv& last = base.params().conv[2];
  const int S = last.in, O = last.out, C = O / 4;
  double activation_power = 0;  // mean square activation over channels and positions
  for (int i = 0; i < S; ++i) activation_power += eq.gram[size_t(i) * eq.n + i] / (eq.positions * S);
  if (activation_power <= 0) return best;
  const int activation_log2 = int(std::lround(0.5 * std::log2(activation_power)));

  // The distortion change, in bits at the samples' prices, of changing output o by d
  // ([S] centre taps, then the bias), from the normal equations.
  auto distortion_bits = [&](int o, const std::vector<double>& d) {
    double quadratic = 0, linear = 0;
    for (int i = 0; i < eq.n; ++i) {
      if (d[i] == 0) continue;
      double gi = 0;
      for (int k = 0; k < eq.n; ++k) gi += eq.gram[size_t(i) * eq.n + k] * d[k];
      quadratic += d[i] * gi;
      linear += d[i] * eq.b[o][i];
    }
    const double price = (o % C < 4 ? lambdas.luma : lambdas.chroma) * distortion_weight;
    return price * std::ldexp(quadratic - 2 * linear, -2 * last.shift[o]);
  };

  double best_cost = 0;  // bits against no update
  for (double ridge : {1e-4, 1e-3, 1e-2, 1e-1}) {
    const std::vector<std::vector<double>> solution = solve(eq, ridge);
    // A step moves a pixel by 2^-step_log2 (a weight's at an activation of typical size).
    for (int step_log2 = 1; step_log2 <= 7; ++step_log2) {
      SynthesisUpdateLevels levels;
      levels.weight_shift = std::clamp(activation_log2 + step_log2, 0, kMaxSynthesisUpdateShift);
      levels.bias_shift = std::clamp(step_log2, 0, kMaxSynthesisUpdateShift);
      levels.weight.assign(size_t(O) * S, 0);
      levels.bias.assign(O, 0);
      // Per output: the joint fit quantized, and the bias alone (re-fitted without the taps).
      std::vector<int32_t> full(size_t(O) * S), full_bias(O), bias_only(O);
      std::vector<double> gain_full(O), gain_bias(O);
      std::vector<double> d(eq.n);
      for (int o = 0; o < O; ++o) {
        const double weight_step = std::ldexp(1.0, std::max(0, last.shift[o] - levels.weight_shift));
        const double bias_step = std::ldexp(1.0, std::max(0, last.shift[o] - levels.bias_shift));
        for (int i = 0; i < S; ++i) {
          const int16_t w = last.weight[(size_t(o) * S + i) * 9 + 4];
          // Keep the changed weight inside the int16 range the synthesis accepts.
          const double lo = std::ceil((-model::kActivationMax - w) / weight_step);
          const double hi = std::floor((model::kActivationMax - w) / weight_step);
          full[size_t(o) * S + i] = int32_t(std::clamp(std::nearbyint(solution[o][i] / weight_step), lo, hi));
          d[i] = full[size_t(o) * S + i] * weight_step;
        }
        full_bias[o] = int32_t(std::clamp(std::nearbyint(solution[o][S] / bias_step), -1e6, 1e6));
        d[S] = full_bias[o] * bias_step;
        gain_full[o] = distortion_bits(o, d);
        const double alone = eq.b[o][S] / (eq.gram[size_t(S) * eq.n + S] * (1 + ridge));
        bias_only[o] = int32_t(std::clamp(std::nearbyint(alone / bias_step), -1e6, 1e6));
        std::fill(d.begin(), d.end(), 0.0);
        d[S] = bias_only[o] * bias_step;
        gain_bias[o] = distortion_bits(o, d);
      }
      // Which outputs' taps pay for their bits (estimated with the Gaussian table of the kept
      // levels' spread; twice, as the spread depends on what is kept).
      std::vector<bool> keep(O, true);
      for (int pass = 0; pass < 2; ++pass) {
        double sum = 0, count = 0;
        for (int o = 0; o < O; ++o)
          if (keep[o])
            for (int i = 0; i < S; ++i) sum += double(full[size_t(o) * S + i]) * full[size_t(o) * S + i], count += 1;
        const double sigma = std::max(0.11, std::sqrt(sum / std::max(1.0, count)));
        for (int o = 0; o < O; ++o) {
          double bits = 0;
          for (int i = 0; i < S; ++i) bits += level_bits(full[size_t(o) * S + i], sigma);
          keep[o] = gain_full[o] + bits < gain_bias[o];
        }
      }
      double gain = 0;
      for (int o = 0; o < O; ++o) {
        if (keep[o]) {
          std::copy_n(full.begin() + std::ptrdiff_t(size_t(o) * S), S, levels.weight.begin() + std::ptrdiff_t(size_t(o) * S));
          levels.bias[o] = full_bias[o];
        } else {
          levels.bias[o] = bias_only[o];
        }
        gain += keep[o] ? gain_full[o] : gain_bias[o];
      }
      if (gain >= best_cost) continue;  // cannot pay for its bits either
      model::SynthesisUpdate update;
      try {
        update = dequantize_synthesis_update(base, levels);
      } catch (const std::invalid_argument&) {
        continue;
      }
      if (!model::synthesis_update_error(base, update).empty()) continue;
      std::vector<uint8_t> bytes = write_synthesis_update(base, levels);
      std::vector<uint8_t> framed;
      bitstream::append_substream(bytes.data(), bytes.size(), &framed);
      const double cost = gain + 8.0 * double(framed.size());
      if (cost < best_cost) {
        best_cost = cost;
        best.bytes = std::move(bytes);
        best.synthesis = std::make_shared<const model::IntegerSynthesis>(model::apply_synthesis_update(base, update));
        best.estimated_gain = -cost;
      }
    }
  }
  return best;
}

}  // namespace vaec::coding
