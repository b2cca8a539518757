#include "bitstream/stream_concat.h"

#include <memory>

#include "bitstream/dec_container.h"
#include "bitstream/enc_container.h"
#include "common/hash.h"

namespace vaec::bitstream {
namespace {

ConcatResult failure(StatusCode code, int part, std::string message) {
  ConcatResult r;
  r.status = Status(code, "concat failed");
  r.failed_part = part;
  r.message = std::move(message);
  return r;
}

std::string rate(const StreamHeader& h) { return std::to_string(h.fps_num) + "/" + std::to_string(h.fps_den); }

// Why part `h` cannot follow part `first` in one stream, or "" when it can.
std::string mismatch(const StreamHeader& first, const StreamHeader& h) {
  if (h.version_major < kCompatibleMajor)
    return "it is a version " + std::to_string(h.version_major) + " stream; concat joins version " +
           std::to_string(kCompatibleMajor) + " and later streams only (encode it again)";
  if ((h.version_major >= kSynthesisUpdateMajor) != (first.version_major >= kSynthesisUpdateMajor))
    return "it is a version " + std::to_string(h.version_major) + " stream, the first part version " +
           std::to_string(first.version_major) + " (encode the parts with the same preset)";
  if (h.model_hash != first.model_hash)
    return "it was made with model " + hash_hex(h.model_hash) + ", the first part with " + hash_hex(first.model_hash);
  if (h.width != first.width || h.height != first.height)
    return "its frames are " + std::to_string(h.width) + "x" + std::to_string(h.height) + ", the first part's " +
           std::to_string(first.width) + "x" + std::to_string(first.height);
  if (h.pixel_format != first.pixel_format) return "its pixel format differs from the first part's";
  if (uint64_t(h.fps_num) * first.fps_den != uint64_t(first.fps_num) * h.fps_den)
    return "its frame rate is " + rate(h) + ", the first part's " + rate(first);
  if (h.quality != first.quality)
    return "it was encoded at quality " + std::to_string(h.quality) + ", the first part at " +
           std::to_string(first.quality);
  if (h.gop != first.gop)
    return "its GOP is " + std::to_string(h.gop) + ", the first part's " + std::to_string(first.gop);
  return "";
}

std::string frame_range(uint64_t first, uint64_t end) {
  return end - first == 1 ? "frame " + std::to_string(first)
                          : "frames " + std::to_string(first) + ".." + std::to_string(end - 1);
}

}  // namespace

ConcatResult concat_streams(const std::vector<ByteSource*>& parts, ByteSink* sink) {
  if (parts.empty()) return failure(StatusCode::kInvalidArgument, -1, "no streams to join");
  std::vector<std::unique_ptr<ContainerReader>> readers;
  std::vector<StreamHeader> headers(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    readers.push_back(std::make_unique<ContainerReader>(parts[i]));
    const Status st = readers[i]->read_header(&headers[i]);
    if (!st.ok()) return failure(st.code(), int(i), st.message());
    const std::string why = mismatch(headers[0], headers[i]);
    if (!why.empty()) return failure(StatusCode::kInvalidArgument, int(i), "not a segment of the same video: " + why);
  }

  StreamHeader joined = headers[0];
  joined.frame_count = 0;  // the index records it
  for (const StreamHeader& h : headers)
    if (h.preset != joined.preset) joined.preset = 0;  // informative: "not recorded" when mixed
  ContainerWriter writer(sink);
  Status st = writer.write_header(joined);
  if (!st.ok()) return failure(st.code(), -1, std::string("writing the output: ") + st.message());

  uint64_t written = 0, next_source_frame = joined.first_frame;
  for (size_t i = 0; i < parts.size(); ++i) {
    const uint64_t start = headers[i].first_frame;
    if (start > next_source_frame)
      return failure(StatusCode::kInvalidArgument, int(i),
                     "it starts at source frame " + std::to_string(start) + ": " +
                         frame_range(next_source_frame, start) + " are in no part");
    if (start < next_source_frame)
      return failure(StatusCode::kInvalidArgument, int(i),
                     "it starts at source frame " + std::to_string(start) + ", but the parts before it end at frame " +
                         std::to_string(next_source_frame - 1) + ": " + frame_range(start, next_source_frame) +
                         " would be in the output twice");
    uint64_t frames = 0;
    for (Packet p;;) {
      st = readers[i]->read_packet(&p);
      if (st.code() == StatusCode::kEndOfStream) break;
      if (!st.ok()) {
        const std::string where = p.display_index == ContainerReader::kUnknownFrame
                                      ? "a record after frame " + std::to_string(frames)
                                      : "frame " + std::to_string(p.display_index);
        return failure(st.code(), int(i), where + ": " + st.message());
      }
      // The reader keeps P frames consecutive; an I frame may not skip numbers either here.
      if (p.display_index != frames)
        return failure(StatusCode::kCorruptData, int(i),
                       "frame numbers jump from " + std::to_string(frames) + " to " + std::to_string(p.display_index));
      st = writer.write_frame(p.type, written + frames, p.payload.data(), p.payload.size());
      if (!st.ok()) return failure(st.code(), -1, std::string("writing the output: ") + st.message());
      ++frames;
    }
    if (!readers[i]->has_index())
      return failure(StatusCode::kTruncated, int(i),
                     "it ends without its index after " + std::to_string(frames) +
                         " frames: its encode did not finish (encode the segment again)");
    if (frames == 0) return failure(StatusCode::kCorruptData, int(i), "it has no frames");
    written += frames;
    next_source_frame += frames;
  }
  st = writer.finish();
  if (!st.ok()) return failure(st.code(), -1, std::string("writing the output: ") + st.message());
  ConcatResult done;
  done.frames = written;
  done.first_frame = joined.first_frame;
  return done;
}

}  // namespace vaec::bitstream
