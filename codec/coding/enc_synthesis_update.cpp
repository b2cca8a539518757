#include "coding/enc_synthesis_update.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <thread>

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

// What the fit reads of a picture: the last layer's input and sums (IntegerSynthesis::
// last_layer) and the picture it should make.
struct LayerData {
  const model::IntegerSubPixelConv* last;
  int rows, cols;                  // activation positions
  const std::vector<int16_t>* act;   // [rows][cols][S]
  const std::vector<int32_t>* sums;  // [rows][cols][24]
  const Frame* input;
};

// The input sample output o makes at activation position (y, x); false outside the picture.
bool target_sample(const Frame& f, int o, int y, int x, int* plane, size_t* index) {
  const int C = kPixelChannels, phase = o / C, ch = o % C;
  const int hy = 2 * y + phase / 2, hx = 2 * x + phase % 2;
  if (ch < 4) {
    const int ly = 2 * hy + ch / 2, lx = 2 * hx + ch % 2;
    if (ly >= f.height || lx >= f.width) return false;
    *plane = 0, *index = size_t(ly) * f.width + lx;
  } else {
    const int cw = Frame::chroma_extent(f.width), chh = Frame::chroma_extent(f.height);
    if (hy >= chh || hx >= cw) return false;
    *plane = ch - 3, *index = size_t(hy) * cw + hx;
  }
  return true;
}

// Rows of activation positions per band: the unit of work whose partial sums are added in band
// order, so results never depend on the thread count.
constexpr int kBandRows = 8;
int band_count(int rows) { return (rows + kBandRows - 1) / kBandRows; }

// Runs fn(band, begin, end) for each band of rows on up to `threads` threads.
template <typename Fn>
void for_bands(int rows, int threads, Fn fn) {
  const int bands = band_count(rows);
  std::atomic<int> next{0};
  auto work = [&] {
    for (int b; (b = next++) < bands;) fn(b, b * kBandRows, std::min(rows, (b + 1) * kBandRows));
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min(threads, bands); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

// The normal equations of every output's least-squares fit: the target of output o at a
// position is the input sample it makes times 2^shift_o, minus its sum now. Positions whose
// 4x4 luma block is not wholly inside the picture are left out (padding).
NormalEquations normal_equations(const LayerData& d, int threads) {
  const model::IntegerSubPixelConv& last = *d.last;
  const int S = last.in, O = last.out, n = S + 1;
  std::vector<NormalEquations> partial(band_count(d.rows));
  for_bands(d.rows, threads, [&](int band, int row0, int row1) {
    NormalEquations& eq = partial[band];
    eq.n = n;
    eq.gram.assign(size_t(n) * n, 0);
    eq.b.assign(O, std::vector<double>(n, 0));
    std::vector<double> x(n), r(O);
    for (int y = row0; y < row1; ++y)
      for (int xp = 0; xp < d.cols; ++xp) {
        if (4 * y + 3 >= d.input->height || 4 * xp + 3 >= d.input->width) continue;
        const size_t pos = size_t(y) * d.cols + xp;
        const int32_t* v = d.sums->data() + pos * O;
        for (int o = 0; o < O; ++o) {
          int plane = 0;
          size_t index = 0;
          target_sample(*d.input, o, y, xp, &plane, &index);
          r[o] = std::ldexp(double(d.input->planes[plane][index]), last.shift[o]) - double(v[o]);
        }
        const int16_t* a = d.act->data() + pos * S;
        for (int i = 0; i < S; ++i) x[i] = a[i];
        x[S] = 1;
        for (int i = 0; i < n; ++i) {
          double* g = eq.gram.data() + size_t(i) * n;
          const double xi = x[i];
          for (int k = 0; k <= i; ++k) g[k] += xi * x[k];
        }
        for (int o = 0; o < O; ++o) {
          double* b = eq.b[o].data();
          for (int i = 0; i < n; ++i) b[i] += x[i] * r[o];
        }
        eq.positions += 1;
      }
  });
  NormalEquations eq;
  eq.n = n;
  eq.gram.assign(size_t(n) * n, 0);
  eq.b.assign(O, std::vector<double>(n, 0));
  for (const NormalEquations& p : partial) {
    for (size_t k = 0; k < eq.gram.size(); ++k) eq.gram[k] += p.gram[k];
    for (int o = 0; o < O; ++o)
      for (int i = 0; i < n; ++i) eq.b[o][i] += p.b[o][i];
    eq.positions += p.positions;
  }
  for (int i = 0; i < n; ++i)
    for (int k = i + 1; k < n; ++k) eq.gram[size_t(i) * n + k] = eq.gram[size_t(k) * n + i];
  return eq;
}

// floor((v + 2^(s-1)) / 2^s) clamped to 0..255: the last layer's rounding
// (model/integer_synthesis.cpp).
inline int pixel_of(int32_t sum, int shift) {
  return int(std::clamp<int64_t>((int64_t(sum) + (int64_t(1) << (shift - 1))) >> shift, 0, 255));
}

// The exact change, in bits at the samples' prices, of the pictures a decoder makes with
// `update` rather than without: every sample inside the picture, rounded and clamped as the
// synthesis does.
double exact_distortion_bits(const LayerData& d, const model::SynthesisUpdate& update, const SampleLambdas& lambdas,
                             int threads) {
  const model::IntegerSubPixelConv& last = *d.last;
  const int S = last.in, O = last.out;
  std::vector<double> partial(band_count(d.rows), 0.0);
  std::vector<bool> taps(O, false);
  for (int o = 0; o < O; ++o)
    for (int i = 0; i < S; ++i) taps[o] = taps[o] || update.centre[size_t(o) * S + i] != 0;
  for_bands(d.rows, threads, [&](int band, int row0, int row1) {
    double luma = 0, chroma = 0;
    for (int y = row0; y < row1; ++y)
      for (int xp = 0; xp < d.cols; ++xp) {
        const size_t pos = size_t(y) * d.cols + xp;
        const int32_t* v = d.sums->data() + pos * O;
        const int16_t* a = d.act->data() + pos * S;
        for (int o = 0; o < O; ++o) {
          int plane = 0;
          size_t index = 0;
          if (!target_sample(*d.input, o, y, xp, &plane, &index)) continue;
          uint32_t change = uint32_t(update.bias[o]);
          if (taps[o]) {
            const int32_t* w = update.centre.data() + size_t(o) * S;
            for (int i = 0; i < S; ++i) change += uint32_t(w[i]) * uint32_t(int32_t(a[i]));  // modulo 2^32
          }
          const int target = d.input->planes[plane][index];
          const int before = pixel_of(v[o], last.shift[o]) - target;
          const int after = pixel_of(int32_t(uint32_t(v[o]) + change), last.shift[o]) - target;
          (plane == 0 ? luma : chroma) += double(after * after - before * before);
        }
      }
    partial[band] = lambdas.luma * luma + lambdas.chroma * chroma;
  });
  double sum = 0;
  for (double p : partial) sum += p;
  return sum;
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
  std::vector<int16_t> act;
  std::vector<int32_t> sums;
  base.last_layer(y_hat_q10.data(), ys.height, ys.width, quality, m.cpu_level(), threads, &act, &sums);
  const LayerData data{&base.params().conv[2], 4 * ys.height, 4 * ys.width, &act, &sums, &input};
  const NormalEquations eq = normal_equations(data, threads);
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

  double best_cost = 0;  // bits against no update, estimated
  model::SynthesisUpdate best_update;
  double best_framed_bits = 0;
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
        best_update = std::move(update);
        best_framed_bits = 8.0 * double(framed.size());
      }
    }
  }
  if (best.bytes.empty()) return best;
  // The estimate leaves out rounding and clipping; the pictures a decoder makes decide.
  const double exact = distortion_weight * exact_distortion_bits(data, best_update, lambdas, threads) + best_framed_bits;
  if (exact >= 0) return FittedSynthesisUpdate{};
  best.synthesis = std::make_shared<const model::IntegerSynthesis>(model::apply_synthesis_update(base, best_update));
  best.gain = -exact;
  return best;
}

}  // namespace vaec::coding
