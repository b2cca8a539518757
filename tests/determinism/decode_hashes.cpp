// vaec-decode-hashes: decodes a .vae file with the library's own decoder (api::Decoder, the
// class behind vaec_decoder_open) and prints, per frame, hashes of what it produced: the exact
// integers the next frame predicts from (the reference's Q10 latents, their Gaussian table
// indices, the P-frame activity map and class scales, the refinement offsets), then one hash per
// plane of the picture. The integers must be identical on every thread count, process and
// build (docs/architecture.md "Decisions"); scripts/check-determinism.sh compares them.
//
//   vaec-decode-hashes [--threads N] [--y4m OUT.y4m] MODEL.vaem IN.vae
//
// Exit status: 0, 1 when a frame fails to decode, 2 on bad usage or unreadable files.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "api/decoder.h"
#include "common/hash.h"
#include "vaec/vaec_file.h"

namespace {

using vaec::coding::FrameType;
using vaec::coding::Reference;

template <typename T>
uint64_t hash_of(const T& v) {
  return vaec::xxh3_64(v.data(), v.size() * sizeof(v[0]));
}

std::string integers_line(FrameType type, const Reference& ref) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "type=%c quality=%d y_hat=%016llx tables=%016llx activity=%016llx scales=%016llx",
                type == FrameType::kIntra ? 'I' : 'P', ref.quality, (unsigned long long)hash_of(ref.y_hat_q10),
                (unsigned long long)hash_of(ref.anchor_scale_index), (unsigned long long)hash_of(ref.activity),
                (unsigned long long)hash_of(ref.class_scales));
  std::string line = buf;
  if (!ref.refinement_offsets[0].empty()) {
    for (int p = 0; p < 3; ++p) {
      std::snprintf(buf, sizeof buf, " offsets%d=%016llx", p, (unsigned long long)hash_of(ref.refinement_offsets[p]));
      line += buf;
    }
  }
  return line;
}

int usage() {
  std::fprintf(stderr, "usage: vaec-decode-hashes [--threads N] [--y4m OUT.y4m] MODEL.vaem IN.vae\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  const char* y4m_path = nullptr;
  std::vector<const char*> args;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--y4m") && i + 1 < argc) y4m_path = argv[++i];
    else if (argv[i][0] == '-') return usage();
    else args.push_back(argv[i]);
  }
  if (args.size() != 2) return usage();
  try {
    std::FILE* in = std::fopen(args[1], "rb");
    if (!in) return std::fprintf(stderr, "%s: cannot open\n", args[1]), 2;
    VaecFileReader* reader = nullptr;
    if (vaec_file_reader_open(&reader, in) != VAEC_OK)
      return std::fprintf(stderr, "%s: %s\n", args[1], vaec_file_reader_error(nullptr)), 2;
    VaecStreamInfo info;
    vaec_file_reader_info(reader, &info);
    VaecSettings s;
    vaec_default_settings(&s);
    s.model_path = args[0];
    s.threads = threads;
    vaec::api::Decoder decoder(s);
    std::string integers;
    decoder.set_frame_observer([&](FrameType type, const Reference& ref, const vaec::Frame&) {
      integers = integers_line(type, ref);
    });
    VaecPacket packet;
    vaec_file_reader_header(reader, &packet);
    if (decoder.send_packet(packet.data, packet.size) != VAEC_OK)
      return std::fprintf(stderr, "%s: %s\n", args[1], decoder.error_detail().c_str()), 2;
    std::FILE* y4m = y4m_path ? std::fopen(y4m_path, "wb") : nullptr;
    if (y4m_path && !y4m) return std::fprintf(stderr, "%s: cannot create\n", y4m_path), 2;
    if (y4m)
      std::fprintf(y4m, "YUV4MPEG2 W%d H%d F%d:%d Ip A0:0 C420jpeg\n", info.width, info.height, info.fps_num,
                   info.fps_den);
    int status = 0;
    for (;;) {
      const int res = vaec_file_read_packet(reader, &packet);
      if (res == VAEC_EOF) break;
      if (res != VAEC_OK) {
        std::printf("record error=%s\n", vaec_file_reader_error(reader));
        status = 1;
        if (vaec_file_reader_failed(reader)) break;
        continue;
      }
      if (decoder.send_packet(packet.data, packet.size) != VAEC_OK) {
        std::printf("frame %lld error=%s\n", (long long)packet.pts, decoder.error_detail().c_str());
        status = 1;
        continue;
      }
      vaec::api::DecodedFrame out;
      while (decoder.get_frame(&out) == VAEC_OK) {
        std::printf("frame %lld %s", (long long)out.pts, integers.c_str());
        const char* names[3] = {"Y", "U", "V"};
        for (int p = 0; p < 3; ++p) {
          std::printf(" %s=%016llx", names[p], (unsigned long long)hash_of(out.frame.planes[p]));
        }
        std::printf("\n");
        if (y4m) {
          std::fputs("FRAME\n", y4m);
          for (int p = 0; p < 3; ++p) std::fwrite(out.frame.planes[p].data(), 1, out.frame.planes[p].size(), y4m);
        }
      }
    }
    vaec_file_reader_close(&reader);
    std::fclose(in);
    if (y4m) std::fclose(y4m);
    return status;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vaec-decode-hashes: %s\n", e.what());
    return 2;
  }
}
