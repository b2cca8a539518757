// Gaussian-conditional CDF tables (mean-scale hyperprior, docs/architecture.md "Decisions").
//
// The model predicts a mean μ and a scale σ per latent element and codes the integer
// v = round(y - μ) (so ŷ = v + μ) with the table of the smallest table scale >= σ.
// The 64 table scales are log-spaced from 0.11 to 256 (as CompressAI's default scale table)
// and are *defined* by the Q16 integers kGaussianScalesQ16 (scale = q / 65536 exactly), so
// encoder and decoder pick tables with integer comparisons only.
//
// Table i covers v in [-R_i, R_i] with R_i = max(1, ceil(kGaussianTailSigmas * σ_i)); values
// beyond go through the escape. The pmf of v is Φ((v+½)/σ) - Φ((v-½)/σ), computed with a
// deterministic normal CDF (only IEEE +,-,*,/), so the tables are bit-identical on every
// x86-64 build; a test pins their fingerprint.
#pragma once

#include <cstddef>
#include <cstdint>

#include "entropy/cdf_table.h"
#include "common/status.h"

namespace vaec::entropy {

constexpr int kNumGaussianScales = 64;
constexpr int kGaussianTailSigmas = 5;

// σ_i * 65536, rounded, for σ_i = exp(log(0.11) + i * (log(256) - log(0.11)) / 63).
extern const int32_t kGaussianScalesQ16[kNumGaussianScales];

// σ_i as a double (exactly kGaussianScalesQ16[i] / 65536), e.g. for the trainer's likelihoods.
double gaussian_scale(int i);

// Index of the smallest table scale >= σ, where scale_q16 = σ * 65536 as an integer.
// Clamped: σ <= σ_0 (including zero/negative) gives 0, σ > σ_63 gives 63.
int gaussian_scale_index(int32_t scale_q16);
void gaussian_scale_indices(const int32_t* scale_q16, int32_t* index, size_t n);

// Half-width R_i of table i (it codes v in [-R_i, R_i] without escape).
int gaussian_table_radius(int i);

// The 64 tables, in scale order (table i for σ_i). Takes well under a millisecond.
Status build_gaussian_tables(CdfTableSet* out);

// Deterministic standard normal CDF Φ(x) (absolute error < 1e-14); exposed for tests.
double deterministic_normal_cdf(double x);

}  // namespace vaec::entropy
