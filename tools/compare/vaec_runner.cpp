#include "compare/vaec_runner.h"

#include <stdexcept>

namespace vaec::compare {

bool vaec_available() { return false; }

EncodeMeasurement run_vaec(const std::vector<Frame>&, Rational, const VaecRun&, const std::string&) {
  throw std::runtime_error("the vaec encoder has not landed in this build");
}

}  // namespace vaec::compare
