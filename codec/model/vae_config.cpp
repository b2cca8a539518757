#include "model/vae_config.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace vaec::model {

std::vector<double> VaeConfig::default_lambdas() {
  // 8 levels, log-spaced over a 2000x range: the bottom targets < 0.05 bpp, the top >= 42 dB
  // PSNR-YUV (a high-rate Gaussian estimate puts 42 dB near lambda ~ 0.26; learned transforms
  // need somewhat more).
  std::vector<double> l;
  for (int k = 0; k < 8; ++k) l.push_back(0.0003 * std::pow(2000.0, k / 7.0));
  return l;
}

double quality_to_level(int quality, int64_t levels, double min_level) {
  const int q = std::clamp(quality, 1, 100);
  min_level = std::clamp(min_level, kLowestLevel, 0.0);
  return min_level + double(q - 1) / 99.0 * (double(levels - 1) - min_level);
}

double lambda_at_level(const std::vector<double>& lambdas, double level) {
  if (lambdas.size() < 2) return lambdas.empty() ? 0.01 : lambdas[0];
  const int lo = std::clamp(int(std::floor(level)), 0, int(lambdas.size()) - 2);
  const double t = level - lo;
  return std::exp(std::log(lambdas[size_t(lo)]) + t * (std::log(lambdas[size_t(lo) + 1]) - std::log(lambdas[size_t(lo)])));
}

std::string config_to_json(const VaeConfig& c) {
  nlohmann::json j = {{"N", c.N}, {"M", c.M}, {"Nz", c.Nz}, {"lambdas", c.lambdas}};
  if (c.Ns > 0 && c.Ns != c.N) j["Ns"] = c.Ns;  // absent from files made before it existed
  return j.dump();
}

VaeConfig config_from_json(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  VaeConfig c;
  c.N = j.at("N");
  c.M = j.at("M");
  c.Nz = j.at("Nz");
  c.Ns = j.value("Ns", int64_t(0));
  c.lambdas = j.at("lambdas").get<std::vector<double>>();
  return c;
}

}  // namespace vaec::model
