// libFuzzer target: full-frame decoding through the C API (vaec_decoder_open, vaec_send_packet,
// vaec_get_frame) with the tiny model of fuzz_decode_model.h and a frame-size cap of 256x256,
// as dav1d's fuzzer caps its frame size.
// Input (see fuzz_decode_model.h): width-1, height-1, mode, then an I- or P-frame payload (wrapped
// into a packet record with a valid checksum, so the fuzzer reaches the entropy decoder), or
// latent symbols that are entropy-coded into a valid payload (so arbitrary, even huge, z and v
// reach the integer h_s and the integer synthesis), or a raw packet record.
// Every input must end in a status; a decoded frame must have the stream's size.
// VAEC_FUZZ_VERBOSE=1 prints each input's status (e.g. with the replay driver).
// VAEC_FUZZ_MODE=0|1|2|4 pins the mode byte (4: P-frames), so a run does not drift to others.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <algorithm>

#include "fuzz_decode_model.h"
#include "vaec/vaec.h"

using namespace vaec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < fuzz::kDecodeInputPrefix) return 0;
  static const int pinned_mode = [] {
    const char* e = std::getenv("VAEC_FUZZ_MODE");
    return e ? std::atoi(e) : -1;
  }();
  const int width = 1 + data[0], height = 1 + data[1];
  const uint8_t mode = pinned_mode >= 0 ? uint8_t(pinned_mode) : data[2];
  const bool raw_record = mode & 1, symbols = mode & 2, inter = (mode & 7) == 4;
  data += fuzz::kDecodeInputPrefix, size -= fuzz::kDecodeInputPrefix;

  std::vector<uint8_t> record, built;
  if (symbols && !raw_record) {
    if (size < 1) return 0;
    const int quality = 1 + data[0] % 100;
    std::vector<int32_t> values;
    for (size_t i = 1; i < size;) {
      const uint8_t c = data[i++];
      if (c < 0x80) {
        values.push_back(int32_t(int8_t(uint8_t(c << 1))) >> 1);
      } else if (i + 4 <= size) {
        values.push_back(int32_t(uint32_t(data[i]) | uint32_t(data[i + 1]) << 8 |
                                 uint32_t(data[i + 2]) << 16 | uint32_t(data[i + 3]) << 24));
        i += 4;
      } else {
        break;
      }
    }
    const size_t nz = model::z_shape(fuzz::decode_model(), width, height).size();
    std::vector<int32_t> z(values.begin(), values.begin() + std::min(nz, values.size()));
    std::vector<int32_t> v(values.begin() + std::min(nz, values.size()), values.end());
    built = fuzz::payload_from_symbols(width, height, quality, std::move(z), std::move(v));
    if (built.empty()) return 0;
    data = built.data(), size = built.size();
  }
  if (raw_record) {
    record.assign(data, data + size);
  } else if (!bitstream::append_packet_record(
                 uint8_t(inter ? bitstream::PacketType::kInterFrame : bitstream::PacketType::kIntraFrame), 1, data,
                 size, &record).ok()) {
    return 0;  // e.g. an empty payload
  }

  // Opening a decoder loads the model (slow under ASan), so one stays open for consecutive
  // inputs of the same frame size; its only state, the P-frame reference, is reset by the
  // I-frame sent before each input, and its queue is drained after each input.
  static VaecContext* dec = nullptr;
  static int dec_width = 0, dec_height = 0;
  if (dec && (dec_width != width || dec_height != height)) {
    VaecPicture none{};  // flushed and drained: end of stream
    if (vaec_send_packet(dec, nullptr) != VAEC_OK || vaec_get_frame(dec, &none) != VAEC_EOF) __builtin_trap();
    vaec_close(&dec);
  }
  VaecPacket pkt{};
  if (!dec) {
    VaecSettings s;
    vaec_default_settings(&s);
    s.model_path = fuzz::decode_model_path().c_str();
    s.threads = 1;
    if (vaec_decoder_open(&dec, &s) != VAEC_OK) __builtin_trap();
    const std::vector<uint8_t> header = fuzz::decode_stream_header(width, height);
    pkt.data = header.data();
    pkt.size = header.size();
    if (vaec_send_packet(dec, &pkt) != VAEC_OK) __builtin_trap();  // a valid header
    dec_width = width, dec_height = height;
  }
  // The same reference before every input (see fuzz_decode_model.h).
  static std::vector<uint8_t> reference_record;
  static int reference_width = 0, reference_height = 0;
  if (reference_width != width || reference_height != height) {
    const std::vector<uint8_t> intra = fuzz::payload_from_symbols(width, height, fuzz::kReferenceQuality, {}, {});
    reference_record.clear();
    if (intra.empty() || !bitstream::append_packet_record(uint8_t(bitstream::PacketType::kIntraFrame), 0, intra.data(),
                                                          intra.size(), &reference_record).ok())
      __builtin_trap();
    reference_width = width, reference_height = height;
  }
  pkt.data = reference_record.data();
  pkt.size = reference_record.size();
  if (vaec_send_packet(dec, &pkt) != VAEC_OK) __builtin_trap();
  VaecPicture ref_pic{};
  if (vaec_get_frame(dec, &ref_pic) != VAEC_OK) __builtin_trap();
  vaec_picture_unref(&ref_pic);

  pkt.data = record.empty() ? nullptr : record.data();
  pkt.size = record.size();
  const int sent = vaec_send_packet(dec, &pkt);
  static const bool verbose = std::getenv("VAEC_FUZZ_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "%dx%d mode %d: %s (%s)\n", width, height, raw_record ? 1 : symbols ? 2 : inter ? 4 : 0,
                 vaec_status_str(sent), vaec_error_detail(dec));
  // VAEC_EOF is never a packet's fate (a payload missing a sub-stream once said it).
  if (sent > 0 || sent == VAEC_EINTERNAL || sent == VAEC_ENOMEM || sent == VAEC_EAGAIN || sent == VAEC_EOF)
    __builtin_trap();
  VaecPicture pic{};
  int frames = 0, res;
  while ((res = vaec_get_frame(dec, &pic)) == VAEC_OK) {
    if (pic.width != width || pic.height != height || !pic.data[0] || !pic.data[1] || !pic.data[2])
      __builtin_trap();
    // Touch every pixel so ASan checks the planes' extents.
    unsigned sum = 0;
    for (int p = 0; p < 3; ++p) {
      const int pw = p ? (width + 1) / 2 : width, ph = p ? (height + 1) / 2 : height;
      for (int y = 0; y < ph; ++y)
        for (int x = 0; x < pw; ++x) sum += pic.data[p][y * pic.stride[p] + x];
    }
    (void)sum;
    vaec_picture_unref(&pic);
    ++frames;
  }
  if (res != VAEC_EAGAIN || frames > 1 || (sent == VAEC_OK && !raw_record && frames != 1)) __builtin_trap();
  return 0;
}
