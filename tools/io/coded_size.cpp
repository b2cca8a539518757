#include "io/coded_size.h"

#include "io/ffmpeg_error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace vaec::io {
namespace {

bool is_sei(AVCodecID codec, uint8_t first_byte) {
  if (codec == AV_CODEC_ID_H264) return (first_byte & 0x1f) == 6;
  if (codec == AV_CODEC_ID_HEVC) {
    const int type = (first_byte >> 1) & 0x3f;
    return type == 39 || type == 40;  // prefix and suffix SEI
  }
  return false;
}

// SEI bytes in a packet of length-prefixed NAL units (how Matroska and MP4 carry H.264/HEVC;
// `prefix` is the length size from the codec header). A packet that does not parse as such
// (e.g. Annex B from another container) counts as having none.
int64_t sei_bytes(AVCodecID codec, const uint8_t* data, int64_t size, int prefix) {
  int64_t sei = 0, pos = 0;
  while (pos + prefix < size) {
    int64_t nal = 0;
    for (int i = 0; i < prefix; ++i) nal = nal << 8 | data[pos + i];
    if (nal <= 0 || nal > size - pos - prefix) return 0;
    if (is_sei(codec, data[pos + prefix])) sei += prefix + nal;
    pos += prefix + nal;
  }
  return pos == size ? sei : 0;
}

// NAL length size from avcC (byte 4) or hvcC (byte 21); 0 when the header is not one of those.
int nal_length_size(const AVCodecParameters& par) {
  const uint8_t* e = par.extradata;
  if (par.codec_id == AV_CODEC_ID_H264 && par.extradata_size >= 7 && e[0] == 1) return (e[4] & 3) + 1;
  if (par.codec_id == AV_CODEC_ID_HEVC && par.extradata_size >= 23 && e[0] == 1) return (e[21] & 3) + 1;
  return 0;
}

}  // namespace

int64_t coded_stream_bytes(const std::string& path) {
  AVFormatContext* fmt = nullptr;
  int err = avformat_open_input(&fmt, path.c_str(), nullptr, nullptr);
  if (err < 0) throw IoError(ffmpeg_message(path, "cannot open", err));
  struct Closer {
    AVFormatContext** f;
    ~Closer() { avformat_close_input(f); }
  } closer{&fmt};
  if ((err = avformat_find_stream_info(fmt, nullptr)) < 0)
    throw IoError(ffmpeg_message(path, "cannot read stream info", err));
  const int stream = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream < 0) throw IoError(path + ": no video stream");
  const AVCodecParameters& par = *fmt->streams[stream]->codecpar;
  const int prefix = nal_length_size(par);
  int64_t total = par.extradata_size;
  AVPacket* pkt = av_packet_alloc();
  if (!pkt) throw IoError(path + ": out of memory");
  while ((err = av_read_frame(fmt, pkt)) >= 0) {
    if (pkt->stream_index == stream) {
      total += pkt->size;
      if (prefix) total -= sei_bytes(par.codec_id, pkt->data, pkt->size, prefix);
    }
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  if (err != AVERROR_EOF) throw IoError(ffmpeg_message(path, "cannot read packets", err));
  return total;
}

}  // namespace vaec::io
