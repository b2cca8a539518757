// libFuzzer target: the refinement sub-stream decoder (api/refinement.h) on a fixed picture and
// context (fuzz_refinement_input.h). VAEC_FUZZ_VERBOSE=1 prints each status. Every input must end in a status; a decoded one leaves the
// picture's size and one offset per sample in [-255, 255].
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "fuzz_refinement_input.h"

using namespace vaec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < fuzz::kRefinementInputPrefix) return 0;
  fuzz::RefinementInput in = fuzz::refinement_input(data);
  const int w = in.picture.width, h = in.picture.height;
  coding::RefinementOffsets offsets;
  const Status st = coding::decode_refinement(data + fuzz::kRefinementInputPrefix, size - fuzz::kRefinementInputPrefix,
                                           in.context(), &in.picture, &offsets);
  static const bool verbose = std::getenv("VAEC_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%dx%d: %s\n", w, h, st.ok() ? "ok" : st.message());
  if (st.ok()) {
    if (in.picture.width != w || in.picture.height != h) std::abort();
    for (int p = 0; p < 3; ++p) {
      if (offsets[size_t(p)].size() != in.picture.plane_size(p)) std::abort();
      for (int16_t o : offsets[size_t(p)])
        if (o < -255 || o > 255) std::abort();
    }
  }
  return 0;
}
