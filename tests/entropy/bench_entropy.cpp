// Prints rANS throughput (M symbols/s, one core, best of several runs) and the coded size
// against the ideal -sum log2 p, for Gaussian-conditional symbols over several scale ranges
// and for factorized-style Laplacian tables.
//
//   vaec-entropy-bench [--symbols N] [--runs R]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

using namespace vaec;
using namespace vaec::entropy;

namespace {

struct Workload {
  std::string name;
  const CdfTableSet* tables;
  std::vector<int32_t> values, index;
  double ideal_bits = 0;
};

double gaussian_pmf(int32_t v, double sigma) {
  const double a = (std::abs(double(v)) - 0.5) / (sigma * std::sqrt(2.0));
  const double b = (std::abs(double(v)) + 0.5) / (sigma * std::sqrt(2.0));
  return v == 0 ? std::erf(b) : 0.5 * (std::erfc(a) - std::erfc(b));
}

double laplace_pmf(int32_t v, double b) {
  const double m = std::abs(double(v));
  return v == 0 ? 1.0 - std::exp(-0.5 / b) : 0.5 * (std::exp(-(m - 0.5) / b) - std::exp(-(m + 0.5) / b));
}

Workload gaussian_workload(const CdfTableSet& tables, size_t n, double lo, double hi, uint64_t seed) {
  Workload w{"gaussian sigma " + std::to_string(lo).substr(0, 4) + ".." + std::to_string(hi).substr(0, 4),
             &tables, std::vector<int32_t>(n), std::vector<int32_t>(n)};
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(std::log(lo), std::log(hi));
  for (size_t i = 0; i < n; ++i) {
    const double sigma = std::exp(u(rng));
    w.index[i] = gaussian_scale_index(int32_t(std::lround(sigma * 65536.0)));
    w.values[i] = int32_t(std::lround(std::normal_distribution<double>(0.0, sigma)(rng)));
    w.ideal_bits -= std::log2(gaussian_pmf(w.values[i], gaussian_scale(w.index[i])));
  }
  return w;
}

Workload laplace_workload(const CdfTableSet& tables, const std::vector<double>& scales, size_t n,
                          uint64_t seed) {
  Workload w{"laplacian (pmf tables) 0.1..50", &tables, std::vector<int32_t>(n), std::vector<int32_t>(n)};
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(std::log(0.1), std::log(50.0));
  for (size_t i = 0; i < n; ++i) {
    const double b = std::exp(u(rng));
    const int j = int(std::lower_bound(scales.begin(), scales.end(), b) - scales.begin());
    w.index[i] = std::min<int>(j, int(scales.size()) - 1);
    const double y = std::exponential_distribution<double>(1.0 / b)(rng) * ((rng() & 1) ? 1 : -1);
    w.values[i] = int32_t(std::lround(y));
    w.ideal_bits -= std::log2(laplace_pmf(w.values[i], scales[size_t(w.index[i])]));
  }
  return w;
}

template <typename F>
double best_seconds(int runs, F&& f) {
  double best = 1e30;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

bool run(const Workload& w, int runs) {
  const size_t n = w.values.size();
  std::vector<uint8_t> bytes;
  std::vector<int32_t> decoded(n);
  bool ok = true;
  const double enc_s = best_seconds(runs, [&] {
    ok &= enc_rans(*w.tables, w.values.data(), w.index.data(), n, &bytes).ok();
  });
  const double dec_s = best_seconds(runs, [&] {
    ok &= dec_rans(*w.tables, bytes.data(), bytes.size(), w.index.data(), n, decoded.data()).ok();
  });
  ok &= decoded == w.values;
  std::printf("%-34s %10zu %9.1f %9.1f %12zu %12.0f %+9.4f%%  %s\n", w.name.c_str(), n,
              n / enc_s / 1e6, n / dec_s / 1e6, bytes.size(), w.ideal_bits / 8,
              100.0 * (8.0 * bytes.size() - w.ideal_bits) / w.ideal_bits, ok ? "ok" : "MISMATCH");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 4000000;
  int runs = 5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--symbols") && i + 1 < argc) n = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: %s [--symbols N] [--runs R]\n", argv[0]);
      return 2;
    }
  }
  CdfTableSet gauss;
  if (!build_gaussian_tables(&gauss).ok()) return 1;
  std::vector<double> scales;
  std::vector<FactorizedPmf> pmfs;
  for (int j = 0; j < 48; ++j) {
    const double b = 0.1 * std::pow(500.0, j / 47.0);
    const int r = std::max(1, int(std::ceil(10.0 * b)));
    FactorizedPmf f{{}, -r};
    for (int v = -r; v <= r; ++v) f.pmf.push_back(laplace_pmf(v, b));
    scales.push_back(b);
    pmfs.push_back(std::move(f));
  }
  CdfTableSet laplace;
  if (!build_factorized_tables(pmfs, &laplace).ok()) return 1;

  std::printf("rANS, %d lanes, one thread, best of %d runs\n", kRansLanes, runs);
  std::printf("%-34s %10s %9s %9s %12s %12s %10s\n", "workload", "symbols", "enc Ms/s", "dec Ms/s",
              "bytes", "ideal bytes", "overhead");
  bool ok = true;
  ok &= run(gaussian_workload(gauss, n, 0.11, 4.0, 1), runs);
  ok &= run(gaussian_workload(gauss, n, 0.1, 50.0, 2), runs);
  ok &= run(gaussian_workload(gauss, n, 4.0, 50.0, 3), runs);
  ok &= run(laplace_workload(laplace, scales, n, 4), runs);
  return ok ? 0 : 1;
}
