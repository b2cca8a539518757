// vaec-dump-latents: decodes the entropy-coded part of every frame of a .vae file and prints,
// per frame, hashes of the integers that must be bit-exact everywhere (DESIGN.md §2): for I
// frames the hyper-latents z, the integer h_s output (Q10 means, Q16 scales), the Gaussian
// table (CDF) indices and the symbols v; for every frame the reference latents (Q10) and
// activity map P-frames predict from, and the refinement's integer offsets when the frame has
// one (bitstream 2.x). With --pixels it also runs the float synthesis and
// prints a hash per plane of the decoded picture (which float LibTorch need not reproduce
// across builds).
//
//   vaec-dump-latents [--threads N] [--pixels] [--y4m OUT.y4m] [--full] MODEL.vaem IN.vae
//
// --y4m also writes the decoded pictures (implies --pixels).
// --threads sets LibTorch's threads and the integer h_s's row threads. --full prints every
// value instead of hashes (large). Exit status: 0, or 1 when anything fails to decode.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include "api/inter_payload.h"
#include "api/intra_payload.h"
#include "api/loaded_model.h"
#include "api/refinement.h"
#include "bitstream/dec_container.h"
#include "bitstream/substreams.h"
#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"
#include "model/intra.h"

using namespace vaec;

namespace {

// FNV-1a, 64-bit, over the little-endian bytes of the values.
template <typename T>
uint64_t hash_of(const std::vector<T>& v) {
  uint64_t h = 1469598103934665603ull;
  for (const T& x : v) {
    const auto u = static_cast<std::make_unsigned_t<T>>(x);
    for (size_t b = 0; b < sizeof(T); ++b) {
      h ^= uint8_t(u >> (8 * b));
      h *= 1099511628211ull;
    }
  }
  return h;
}

template <typename T>
void print(const char* name, const std::vector<T>& v, bool full) {
  std::printf(" %s=%016llx", name, static_cast<unsigned long long>(hash_of(v)));
  if (!full) return;
  std::printf("\n  %s:", name);
  for (const T& x : v) std::printf(" %lld", static_cast<long long>(x));
  std::printf("\n");
}

// The integers of an I frame's payload: z, the h_s means and scales, CDF indices, v.
bool print_intra_symbols(api::LoadedModel& m, const entropy::CdfTableSet& gaussian, const std::vector<uint8_t>& p,
                         int w, int h, int threads, bool full) {
  bitstream::SubstreamReader streams(p.data() + 1, p.empty() ? 0 : p.size() - 1);
  const uint8_t *zb = nullptr, *yb = nullptr;
  size_t zn = 0, yn = 0;
  const model::LatentShape zs = model::z_shape(m.model, w, h);
  std::vector<int32_t> z(zs.size()), zidx(zs.size());
  const size_t plane = size_t(zs.height) * zs.width;
  for (size_t i = 0; i < zidx.size(); ++i) zidx[i] = int32_t(i / plane);
  if (p.empty() || !streams.next(&zb, &zn).ok() || !streams.next(&yb, &yn).ok() ||
      !entropy::dec_rans(m.model.z_tables(), zb, zn, zidx.data(), z.size(), z.data()).ok()) {
    std::printf(" error=z\n");
    return false;
  }
  const model::HyperParams params = model::hyper_params(m.model, z, zs, threads);
  const std::vector<int32_t> index = model::scale_indices(params);
  std::vector<int32_t> v(index.size());
  if (!entropy::dec_rans(gaussian, yb, yn, index.data(), v.size(), v.data()).ok()) {
    std::printf(" error=y\n");
    return false;
  }
  print("z", z, full);
  print("mean_q10", params.mean_q, full);
  print("scale_q16", params.scale_q16, full);
  print("cdf_index", index, full);
  print("v", v, full);
  return true;
}

int usage() {
  std::fprintf(stderr, "usage: vaec-dump-latents [--threads N] [--pixels] [--y4m OUT.y4m] [--full] MODEL.vaem IN.vae\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  bool pixels = false, full = false;
  std::string y4m_path;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--pixels")) pixels = true;
    else if (!std::strcmp(argv[i], "--y4m") && i + 1 < argc) y4m_path = argv[++i], pixels = true;
    else if (!std::strcmp(argv[i], "--full")) full = true;
    else if (argv[i][0] == '-') return usage();
    else args.push_back(argv[i]);
  }
  if (args.size() != 2 || threads < 1) return usage();
  at::set_num_threads(threads);
  try {
    api::LoadedModel m = api::load_model(args[0]);
    std::FILE* f = std::fopen(args[1].c_str(), "rb");
    if (!f) {
      std::fprintf(stderr, "%s: cannot open\n", args[1].c_str());
      return 1;
    }
    bitstream::FileSource src(f);
    bitstream::ContainerReader reader(&src);
    bitstream::StreamHeader header;
    Status st = reader.read_header(&header);
    if (!st.ok() || header.model_hash != m.hash) {
      std::fprintf(stderr, "%s: %s\n", args[1].c_str(), st.ok() ? "made with another model" : st.message());
      return 1;
    }
    entropy::CdfTableSet gaussian;
    if (!entropy::build_gaussian_tables(&gaussian).ok()) return 1;
    const int w = int(header.width), h = int(header.height);
    std::FILE* y4m = nullptr;
    if (!y4m_path.empty()) {
      y4m = std::fopen(y4m_path.c_str(), "wb");
      if (!y4m) {
        std::fprintf(stderr, "%s: cannot create\n", y4m_path.c_str());
        return 1;
      }
      std::fprintf(y4m, "YUV4MPEG2 W%d H%d F%u:%u Ip A0:0 C420jpeg\n", w, h, header.fps_num, header.fps_den);
    }
    bitstream::Packet packet;
    int failures = 0;
    api::Reference ref;
    while ((st = reader.read_packet(&packet)).ok()) {
      const bool intra = packet.type == bitstream::PacketType::kIntraFrame;
      if (!intra && packet.type != bitstream::PacketType::kInterFrame) continue;
      std::printf("frame %llu type=%c", static_cast<unsigned long long>(packet.display_index), intra ? 'I' : 'P');
      const std::vector<uint8_t>& p = packet.payload;
      if (intra && !print_intra_symbols(m, gaussian, p, w, h, threads, full)) {
        ++failures;
        continue;
      }
      api::RefinementBytes refinement;
      api::RefinementBytes* allow_refinement = header.version_major >= bitstream::kRefinementMajor ? &refinement : nullptr;
      const Status decoded = intra ? api::decode_intra_payload(m.model, p.data(), p.size(), w, h, &ref, allow_refinement)
                                   : api::decode_inter_payload(p.data(), p.size(), &ref, allow_refinement);
      if (!decoded.ok()) {
        std::printf(" error=%s\n", decoded.message());
        ++failures;
        continue;
      }
      std::printf(" quality=%d", ref.quality);
      print("latents_q10", ref.y_hat_q10, full);
      print("activity", ref.activity, full);
      // The refinement's offsets do not depend on the picture they are added to: without
      // --pixels a blank one will do (no float synthesis).
      Frame frame;
      if (pixels) frame = model::synthesise_q10(m.model, ref.y_hat_q10, w, h, ref.quality);
      else frame.allocate(w, h);
      if (refinement.present) {
        const Status refined = api::decode_refinement(refinement.data, refinement.size,
                                                      api::refinement_context(ref, !intra), &frame,
                                                      &ref.refinement_offsets);
        if (!refined.ok()) {
          std::printf(" error=%s\n", refined.message());
          ++failures;
          continue;
        }
        for (int plane = 0; plane < 3; ++plane)
          print(plane == 0 ? "offsets_Y" : plane == 1 ? "offsets_U" : "offsets_V", ref.refinement_offsets[plane], full);
      } else {
        ref.refinement_offsets = api::RefinementOffsets{};
      }
      if (pixels) {
        print("Y", frame.planes[0], false);
        print("U", frame.planes[1], false);
        print("V", frame.planes[2], false);
        if (y4m) {
          std::fputs("FRAME\n", y4m);
          for (const auto& plane : frame.planes) std::fwrite(plane.data(), 1, plane.size(), y4m);
        }
      }
      std::printf("\n");
    }
    std::fclose(f);
    if (y4m && std::fclose(y4m) != 0) return 1;
    if (st.code() != StatusCode::kEndOfStream) {
      std::fprintf(stderr, "%s: %s\n", args[1].c_str(), st.message());
      return 1;
    }
    return failures ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vaec-dump-latents: %s\n", e.what());
    return 1;
  }
}
