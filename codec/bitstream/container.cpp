#include "bitstream/container.h"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "entropy/byte_io.h"

namespace vaec::bitstream {
namespace {

Status corrupt(const char* what) { return Status(StatusCode::kCorruptData, what); }
Status limit(const char* what) { return Status(StatusCode::kLimitExceeded, what); }

uint64_t packet_checksum(const uint8_t* record16, const uint8_t* payload, size_t size) {
  return XXH3_64bits_withSeed(payload, size, XXH3_64bits(record16, 16));
}

}  // namespace

bool StreamHeader::operator==(const StreamHeader& o) const {
  return version_major == o.version_major && version_minor == o.version_minor &&
         width == o.width && height == o.height && pixel_format == o.pixel_format &&
         fps_num == o.fps_num && fps_den == o.fps_den && gop == o.gop &&
         frame_count == o.frame_count && quality == o.quality &&
         encoder_version == o.encoder_version && model_hash == o.model_hash && preset == o.preset &&
         first_frame == o.first_frame;
}

Status validate_header(const StreamHeader& h) {
  if (h.width < 1 || h.height < 1 || h.width > kMaxDimension || h.height > kMaxDimension)
    return limit("header: width/height outside 1..16384");
  if (h.pixel_format != PixelFormat::kYuv420p8)
    return Status(StatusCode::kUnsupported, "header: unknown pixel format");
  if (h.fps_num < 1 || h.fps_den < 1 || h.fps_num > kMaxRateTerm || h.fps_den > kMaxRateTerm)
    return limit("header: frame rate terms outside 1..1000000");
  // Sane rates: 0.01 .. 1000 frames per second.
  if (uint64_t(h.fps_num) * 100 < h.fps_den || h.fps_num > uint64_t(h.fps_den) * 1000)
    return limit("header: frame rate outside 0.01..1000 fps");
  if (h.gop < 1 || h.gop > kMaxGop) return limit("header: GOP outside 1..65535");
  if (h.frame_count > kMaxFrameCount) return limit("header: frame count too large");
  if (h.first_frame > kMaxFrameCount) return limit("header: first frame number too large");
  if (h.quality < 1 || h.quality > 100) return corrupt("header: quality outside 1..100");
  return OkStatus();
}

uint32_t max_frame_payload(const StreamHeader& h) {
  // 16 bytes per pixel is far above any real frame (raw YUV 4:2:0 is 1.5) yet bounds what a
  // corrupt size field can make us buffer.
  const uint64_t bound = 65536 + 16 * uint64_t(h.width) * h.height;
  return bound < kMaxPayloadSize ? uint32_t(bound) : kMaxPayloadSize;
}

Status serialize_header(const StreamHeader& h, std::vector<uint8_t>* out) {
  VAEC_RETURN_IF_ERROR(validate_header(h));
  std::vector<uint8_t> b(kHeaderSize, 0);
  std::memcpy(b.data(), kMagic, 8);
  const bool newest = h.version_major >= kSynthesisUpdateMajor;
  store_le16(&b[8], newest ? kVersionMajor : kCompatibleMajor);
  store_le16(&b[10], newest ? kVersionMinor : kCompatibleMinor);
  store_le32(&b[12], uint32_t(kHeaderSize));
  store_le32(&b[16], h.width);
  store_le32(&b[20], h.height);
  b[24] = uint8_t(h.pixel_format);
  b[25] = h.quality;
  store_le32(&b[28], h.fps_num);
  store_le32(&b[32], h.fps_den);
  store_le32(&b[36], h.gop);
  store_le32(&b[40], h.frame_count);
  store_le32(&b[44], h.encoder_version);
  std::memcpy(&b[48], h.model_hash.data(), 16);
  b[64] = h.preset;  // 65..67 reserved, zero
  store_le32(&b[68], h.first_frame);
  store_le64(&b[kHeaderSize - 8], XXH3_64bits(b.data(), kHeaderSize - 8));
  *out = std::move(b);
  return OkStatus();
}

Status header_record_size(const uint8_t* first16, size_t* size) {
  if (std::memcmp(first16, kMagic, 8) != 0) return corrupt("header: not a .vae stream (bad magic)");
  const uint16_t major = load_le16(first16 + 8);
  if (major < kOldestReadableMajor || major > kVersionMajor)
    return Status(StatusCode::kUnsupported, "header: unsupported major version");
  const uint32_t s = load_le32(first16 + 12);
  if (s < kMinHeaderSize || s > kMaxHeaderSize) return corrupt("header: bad header size");
  *size = s;
  return OkStatus();
}

Status parse_header(const uint8_t* data, size_t size, StreamHeader* out) {
  if (size < 16) return Status(StatusCode::kTruncated, "header: truncated");
  size_t expect = 0;
  VAEC_RETURN_IF_ERROR(header_record_size(data, &expect));
  if (size < expect) return Status(StatusCode::kTruncated, "header: truncated");
  if (size > expect) return corrupt("header: trailing bytes");
  if (XXH3_64bits(data, size - 8) != load_le64(data + size - 8))
    return Status(StatusCode::kChecksumMismatch, "header: checksum mismatch");
  if (data[26] != 0 || data[27] != 0) return corrupt("header: reserved bytes not zero");
  StreamHeader h;
  h.version_major = load_le16(data + 8);
  h.version_minor = load_le16(data + 10);
  h.width = load_le32(data + 16);
  h.height = load_le32(data + 20);
  h.pixel_format = PixelFormat(data[24]);
  h.quality = data[25];
  h.fps_num = load_le32(data + 28);
  h.fps_den = load_le32(data + 32);
  h.gop = load_le32(data + 36);
  h.frame_count = load_le32(data + 40);
  h.encoder_version = load_le32(data + 44);
  std::memcpy(h.model_hash.data(), data + 48, 16);
  // 4.1's preset (any value: a newer encoder may know more presets) and 4.2's first frame; the
  // bytes after them up to size - 8 belong to newer minor versions: covered by the checksum,
  // ignored here.
  const auto since_minor = [&](int minor) {
    return size >= kHeaderSize && (h.version_major > 4 || h.version_minor >= minor);
  };
  if (since_minor(1)) h.preset = data[64];
  if (since_minor(2)) h.first_frame = load_le32(data + 68);
  VAEC_RETURN_IF_ERROR(validate_header(h));
  *out = h;
  return OkStatus();
}

Status append_packet_record(uint8_t type, uint64_t display_index, const uint8_t* payload,
                            size_t size, std::vector<uint8_t>* out) {
  if (size > kMaxPayloadSize) return limit("packet: payload too large");
  if (size > 0 && payload == nullptr) return Status(StatusCode::kInvalidArgument, "packet: null payload");
  if (display_index >= kMaxFrameCount) return limit("packet: display index too large");
  const size_t at = out->size();
  out->resize(at + kPacketHeaderSize + size);
  uint8_t* r = out->data() + at;
  r[0] = type;
  r[1] = r[2] = r[3] = 0;
  store_le32(r + 4, uint32_t(size));
  store_le64(r + 8, display_index);
  if (size > 0) std::memcpy(r + kPacketHeaderSize, payload, size);
  store_le64(r + 16, packet_checksum(r, r + kPacketHeaderSize, size));
  return OkStatus();
}

Status parse_packet_header(const uint8_t* data, uint32_t max_payload, PacketHeader* out) {
  PacketHeader h;
  h.type = data[0];
  if (data[1] != 0 || data[2] != 0 || data[3] != 0) return corrupt("packet: reserved bits set");
  const bool known = h.type == uint8_t(PacketType::kIntraFrame) ||
                     h.type == uint8_t(PacketType::kInterFrame) ||
                     h.type == uint8_t(PacketType::kIndex);
  if (!known && h.type < kFirstSkippable) return corrupt("packet: unknown type");
  h.payload_size = load_le32(data + 4);
  if (h.payload_size > max_payload) return limit("packet: payload larger than the stream allows");
  h.display_index = load_le64(data + 8);
  if (h.display_index >= kMaxFrameCount) return limit("packet: display index too large");
  if (h.type == uint8_t(PacketType::kIndex) && h.display_index != 0)
    return corrupt("packet: index record with a display index");
  h.checksum = load_le64(data + 16);
  *out = h;
  return OkStatus();
}

bool packet_checksum_ok(const uint8_t* record24, const PacketHeader& h, const uint8_t* payload) {
  return packet_checksum(record24, payload, h.payload_size) == h.checksum;
}

void serialize_index_payload(const StreamIndex& index, std::vector<uint8_t>* out) {
  out->clear();
  append_le32(out, index.frame_count);
  append_le32(out, uint32_t(index.entries.size()));
  for (const IndexEntry& e : index.entries) {
    append_le64(out, e.display_index);
    append_le64(out, e.offset);
  }
}

Status parse_index_payload(const uint8_t* data, size_t size, uint64_t index_offset,
                           StreamIndex* out) {
  if (size < 8) return corrupt("index: too short");
  const uint32_t frames = load_le32(data);
  const uint32_t count = load_le32(data + 4);
  if (frames > kMaxFrameCount || count > frames) return corrupt("index: bad counts");
  if (size != 8 + uint64_t(count) * kIndexEntrySize) return corrupt("index: size mismatch");
  StreamIndex index;
  index.frame_count = frames;
  index.entries.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    IndexEntry& e = index.entries[i];
    e.display_index = load_le64(data + 8 + kIndexEntrySize * i);
    e.offset = load_le64(data + 16 + kIndexEntrySize * i);
    if (e.display_index >= frames || e.offset >= index_offset) return corrupt("index: entry out of range");
    if (i > 0 && (e.display_index <= index.entries[i - 1].display_index ||
                  e.offset <= index.entries[i - 1].offset))
      return corrupt("index: entries not increasing");
  }
  *out = std::move(index);
  return OkStatus();
}

void serialize_footer(uint64_t index_offset, uint8_t out[kFooterSize]) {
  store_le64(out, index_offset);
  std::memcpy(out + 8, kFooterMagic, 8);
}

Status parse_footer(const uint8_t* data, uint64_t* index_offset) {
  if (std::memcmp(data + 8, kFooterMagic, 8) != 0) return corrupt("footer: bad magic");
  *index_offset = load_le64(data);
  return OkStatus();
}

}  // namespace vaec::bitstream
