#include "coding/enc_transform_residual.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "bitstream/substreams.h"
#include "coding/payload_common.h"
#include "coding/transform_residual.h"

namespace vaec::coding {

namespace {

// A coefficient is rounded up where it is within kRoundingOffset of the next level, else down
// (a dead zone: smaller levels are cheaper, and a motion residual is mostly near zero). 1/6,
// 1/4 and 1/3 gave -27.2, -28.1 and -28.4 % BD-rate on the four training clips
// (docs/inter-frames.md); HEVC's reference encoder uses 1/6 for inter blocks, 1/3 for intra.
constexpr double kRoundingOffset = 1.0 / 3;

// The orthonormal basis the decoder's integer matrix approximates (its rows normalised).
struct OrthonormalBasis {
  double b[kTransformSize][kTransformSize];
  OrthonormalBasis() {
    for (int k = 0; k < kTransformSize; ++k) {
      double norm = 0;
      for (int n = 0; n < kTransformSize; ++n) norm += double(kDctMatrix[k][n]) * kDctMatrix[k][n];
      for (int n = 0; n < kTransformSize; ++n) b[k][n] = kDctMatrix[k][n] / std::sqrt(norm);
    }
  }
};

// 16 times the orthonormal DCT of r (the decoder's dequantized units).
void forward_transform(const double* r, double* c) {
  static const OrthonormalBasis basis;
  double t[kTransformCoefficients];  // rows transformed: t[y][u]
  for (int y = 0; y < kTransformSize; ++y)
    for (int u = 0; u < kTransformSize; ++u) {
      double s = 0;
      for (int x = 0; x < kTransformSize; ++x) s += basis.b[u][x] * r[y * kTransformSize + x];
      t[y * kTransformSize + u] = s;
    }
  for (int v = 0; v < kTransformSize; ++v)
    for (int u = 0; u < kTransformSize; ++u) {
      double s = 0;
      for (int y = 0; y < kTransformSize; ++y) s += basis.b[v][y] * t[y * kTransformSize + u];
      c[v * kTransformSize + u] = 16 * s;
    }
}

// Rate-distortion optimised quantization (x264's trellis, one coefficient at a time): each
// level is the one of round(|c| / step), one less, or 0 whose squared error plus bits / lambda
// is least, priced with the class tables `scales` (fitted to the dead-zone levels).
// c is 16 times the orthonormal coefficient, so (|c| - m step) / 16 is the error in pixels.
void optimise_levels(const double* c, int step, int max_level, double lambda, uint8_t flag_class,
                     const TransformScales& scales, int32_t* l) {
  const entropy::CdfTableSet& tables = gaussian_tables();
  for (int i = 0; i < kTransformCoefficients; ++i) {
    const double a = std::abs(c[i]);
    const int nearest = std::min(max_level, int(a / step + 0.5));
    if (nearest == 0) {  // most coefficients: nothing to choose (and code lengths cost a log)
      l[i] = 0;
      continue;
    }
    const entropy::CdfTable& table = tables.table(scales[level_class(flag_class, i / kTransformSize, i % kTransformSize)]);
    int best = 0;
    double best_cost = 0;
    for (int m : {nearest, nearest - 1, 0}) {
      if (m < 0 || (m == 0 && nearest > 2)) continue;  // zeroing a large level never pays
      const double error = (a - m * step) / 16;
      const double cost = lambda * error * error + table.code_length(m);
      if (m == nearest || cost < best_cost) best = m, best_cost = cost;
    }
    l[i] = c[i] < 0 ? -best : best;
  }
}

// One plane's block: the residual (edge samples repeated past the plane) and where it lies.
struct BlockResidual {
  double r[kTransformCoefficients];
  int x0, y0, w, h;
};

BlockResidual block_residual(const Frame& original, const Frame& prediction, int p, const BlockGrid& g, int b) {
  BlockResidual out;
  out.x0 = (b % g.blocks_x) * kTransformSize;
  out.y0 = (b / g.blocks_x) * kTransformSize;
  out.w = std::min(kTransformSize, g.width - out.x0);
  out.h = std::min(kTransformSize, g.height - out.y0);
  for (int y = 0; y < kTransformSize; ++y)
    for (int x = 0; x < kTransformSize; ++x) {
      const size_t i = size_t(out.y0 + std::min(y, out.h - 1)) * g.width + out.x0 + std::min(x, out.w - 1);
      out.r[y * kTransformSize + x] = double(original.planes[p][i]) - double(prediction.planes[p][i]);
    }
  return out;
}

// Squared error the coded levels save over the prediction alone, inside the plane.
double distortion_saving(const BlockResidual& br, const Frame& prediction, int p, const BlockGrid& g,
                         const int32_t* levels, int step) {
  int32_t d[kTransformCoefficients], r[kTransformCoefficients];
  for (int i = 0; i < kTransformCoefficients; ++i) d[i] = levels[i] * step;
  inverse_transform(d, r);
  double saving = 0;
  for (int y = 0; y < br.h; ++y)
    for (int x = 0; x < br.w; ++x) {
      const int pred = prediction.planes[p][size_t(br.y0 + y) * g.width + br.x0 + x];
      const double e0 = br.r[y * kTransformSize + x];
      const double e1 = e0 - (std::clamp(pred + r[y * kTransformSize + x], 0, 255) - pred);
      saving += e0 * e0 - e1 * e1;
    }
  return saving;
}

// Sets each block's coded flag from its levels.
const TransformLevels& mark_coded(TransformLevels* t) {
  for (int p = 0; p < 3; ++p)
    for (size_t b = 0; b < t->coded[size_t(p)].size(); ++b) {
      const int32_t* l = t->levels[size_t(p)].data() + b * kTransformCoefficients;
      t->coded[size_t(p)][b] = std::any_of(l, l + kTransformCoefficients, [](int32_t v) { return v != 0; });
    }
  return *t;
}

// The symbols of a frame's residual: flags, then the levels of the coded blocks.
struct Symbols {
  std::vector<int32_t> flags, levels;
  std::vector<uint8_t> flag_classes, level_classes;
};

Symbols collect_symbols(const TransformLevels& t, const std::array<std::vector<uint8_t>, 3>& classes) {
  Symbols s;
  for (int p = 0; p < 3; ++p)
    for (size_t b = 0; b < classes[size_t(p)].size(); ++b) {
      const uint8_t cls = classes[size_t(p)][b];
      s.flags.push_back(t.coded[size_t(p)][b]);
      s.flag_classes.push_back(cls);
      if (!t.coded[size_t(p)][b]) continue;
      const int32_t* l = t.levels[size_t(p)].data() + b * kTransformCoefficients;
      for (int v = 0; v < kTransformSize; ++v)
        for (int u = 0; u < kTransformSize; ++u) {
          s.levels.push_back(l[v * kTransformSize + u]);
          s.level_classes.push_back(level_class(cls, v, u));
        }
    }
  return s;
}

TransformScales fit_scales(const Symbols& s) {
  std::vector<int32_t> values = s.flags;
  values.insert(values.end(), s.levels.begin(), s.levels.end());
  std::vector<uint8_t> cls = s.flag_classes;
  cls.insert(cls.end(), s.level_classes.begin(), s.level_classes.end());
  return fit_class_scales(gaussian_tables(), values.data(), cls.data(), values.size(), default_transform_scales());
}

// One rANS stream: what it codes, symbol by symbol, and with which table.
struct Stream {
  std::vector<int32_t> values, tables;
  void add(int32_t value, int32_t table) {
    values.push_back(value);
    tables.push_back(table);
  }
  // The scales of the classes `present` marks, as changes from their defaults.
  void add_scales(const TransformScales& scales, const ClassMask& present) {
    for (size_t c = 0; c < present.size(); ++c)
      if (present[c]) add(int32_t(scales[c]) - default_transform_scales()[c], kScaleDeltaTable);
  }
};

}  // namespace

int transform_qp(const SampleLambdas& lambdas) {
  if (!(lambdas.luma > 0)) throw std::invalid_argument("transform residual: lambda must be positive");
  // dD/dR = 2 ln2 step^2 / 12 (orthonormal step, pixels), and dD/dR = 1 / lambda.
  const double step = std::sqrt(6.0 / (std::log(2.0) * lambdas.luma));
  const int qp = int(std::lround(4 + 6 * std::log2(step)));
  return std::clamp(qp, 0, kMaxTransformQp);
}

TransformResidual encode_transform_residual(const Frame& original, const Frame& prediction, int qp,
                                            const SampleLambdas& lambdas, bool optimise) {
  if (!original.same_size(prediction)) throw std::invalid_argument("transform residual: picture sizes differ");
  const int step = transform_step(qp);
  const std::array<std::vector<uint8_t>, 3> classes = block_classes(prediction);
  TransformLevels t(prediction);
  std::array<std::vector<double>, 3> saving;
  // Every block's coefficients are kept only for the level optimization (11 MB at 720p).
  std::array<std::vector<double>, 3> coefficients;
  double block_coefficients[kTransformCoefficients];
  for (int p = 0; p < 3; ++p) {
    const BlockGrid g(prediction.plane_width(p), prediction.plane_height(p));
    if (optimise) coefficients[size_t(p)].resize(size_t(g.count()) * kTransformCoefficients);
    const int max_level = kMaxDequantized / step;
    for (int b = 0; b < g.count(); ++b) {
      const BlockResidual br = block_residual(original, prediction, p, g, b);
      double* c = optimise ? coefficients[size_t(p)].data() + size_t(b) * kTransformCoefficients : block_coefficients;
      forward_transform(br.r, c);
      int32_t* l = t.levels[size_t(p)].data() + size_t(b) * kTransformCoefficients;
      for (int i = 0; i < kTransformCoefficients; ++i) {
        const int m = std::min(max_level, int(std::abs(c[i]) / step + kRoundingOffset));
        l[i] = c[i] < 0 ? -m : m;
      }
    }
  }
  if (optimise) {  // levels chosen by their own cost, priced by the dead-zone levels' tables
    // (pricing them again with the tables of the optimised levels gained nothing: -0.85 %
    // against -0.83 % on four training clips)
    const TransformScales priced = fit_scales(collect_symbols(mark_coded(&t), classes));
    for (int p = 0; p < 3; ++p) {
      const double lambda = p == 0 ? lambdas.luma : lambdas.chroma;
      for (size_t b = 0; b < classes[size_t(p)].size(); ++b)
        optimise_levels(coefficients[size_t(p)].data() + b * kTransformCoefficients, step, kMaxDequantized / step,
                        lambda, classes[size_t(p)][b], priced, t.levels[size_t(p)].data() + b * kTransformCoefficients);
    }
  }
  mark_coded(&t);
  for (int p = 0; p < 3; ++p) {
    const BlockGrid g(prediction.plane_width(p), prediction.plane_height(p));
    saving[size_t(p)].assign(size_t(g.count()), 0);
    for (int b = 0; b < g.count(); ++b)
      if (t.coded[size_t(p)][size_t(b)])
        saving[size_t(p)][size_t(b)] = distortion_saving(block_residual(original, prediction, p, g, b), prediction, p,
                                                         g, t.levels[size_t(p)].data() + size_t(b) * kTransformCoefficients, step);
  }
  // Which blocks pay for their bits, priced with the tables fitted to all quantized blocks.
  const TransformScales first = fit_scales(collect_symbols(t, classes));
  const entropy::CdfTableSet& tables = gaussian_tables();
  for (int p = 0; p < 3; ++p) {
    const double lambda = p == 0 ? lambdas.luma : lambdas.chroma;
    for (size_t b = 0; b < classes[size_t(p)].size(); ++b) {
      if (!t.coded[size_t(p)][b]) continue;
      const uint8_t cls = classes[size_t(p)][b];
      int32_t* l = t.levels[size_t(p)].data() + b * kTransformCoefficients;
      double bits = tables.table(first[cls]).code_length(1) - tables.table(first[cls]).code_length(0);
      for (int v = 0; v < kTransformSize; ++v)
        for (int u = 0; u < kTransformSize; ++u)
          bits += tables.table(first[level_class(cls, v, u)]).code_length(l[v * kTransformSize + u]);
      if (lambda * saving[size_t(p)][b] > bits) continue;
      t.coded[size_t(p)][b] = 0;
      std::fill(l, l + kTransformCoefficients, 0);
    }
  }
  const Symbols symbols = collect_symbols(t, classes);
  const TransformScales scales = fit_scales(symbols);

  Stream stream;
  stream.add_scales(scales, present_classes(classes, nullptr));
  for (size_t i = 0; i < symbols.flags.size(); ++i) stream.add(symbols.flags[i], scales[symbols.flag_classes[i]]);
  stream.add_scales(scales, present_classes(classes, &t.coded));
  for (size_t i = 0; i < symbols.levels.size(); ++i) stream.add(symbols.levels[i], scales[symbols.level_classes[i]]);
  TransformResidual out;
  out.bytes.push_back(uint8_t(qp));
  append_rans(tables, stream.values, stream.tables, &out.bytes, 1);
  reconstruct_transform_residual(prediction, t, qp, &out.picture);
  return out;
}

}  // namespace vaec::coding
