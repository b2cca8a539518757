#include "io/video_reader.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

#include "io/ffmpeg_error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace vaec::io {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Pixel formats whose samples are laid out exactly like 8-bit 4:2:0 (yuvj420p differs only
// in its range flag, which we carry through unchanged).
bool is_native_420(AVPixelFormat f) { return f == AV_PIX_FMT_YUV420P || f == AV_PIX_FMT_YUVJ420P; }

class FfmpegReader final : public VideoReader {
 public:
  explicit FfmpegReader(std::string path) : path_(std::move(path)) {}

  // Separate from the constructor so a failure part-way still runs the destructor.
  void open(const RawVideoOptions& raw) {
    const std::string& path = path_;
    std::string url = path == "-" ? "pipe:0" : path;
    if (path != "-") check_readable_file();
    const AVInputFormat* forced = nullptr;
    AVDictionary* opts = nullptr;
    // Raw planes: a .yuv file, or stdin when the caller gave a size (nothing to probe there).
    if (ends_with(path, ".yuv") || (path == "-" && raw.width > 0)) {
      if (raw.width <= 0 || raw.height <= 0)
        throw IoError(path + ": raw .yuv input needs --size WxH (and --fps R)");
      forced = av_find_input_format("rawvideo");
      av_dict_set(&opts, "video_size",
                  (std::to_string(raw.width) + "x" + std::to_string(raw.height)).c_str(), 0);
      av_dict_set(&opts, "pixel_format", "yuv420p", 0);
      av_dict_set(&opts, "framerate",
                  (std::to_string(raw.frame_rate.num) + "/" + std::to_string(raw.frame_rate.den)).c_str(), 0);
      info_.raw = true;
      if (path != "-") check_whole_raw_frames(raw.width, raw.height);
    }
    int err = avformat_open_input(&format_, url.c_str(), forced, &opts);
    av_dict_free(&opts);
    if (err < 0) throw IoError(ffmpeg_message(path, "cannot open as video", err));
    if ((err = avformat_find_stream_info(format_, nullptr)) < 0)
      throw IoError(ffmpeg_message(path, "cannot read stream information", err));
    const AVCodec* codec = nullptr;
    stream_index_ = av_find_best_stream(format_, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (stream_index_ < 0 || !codec) throw IoError(path + ": no decodable video stream");
    AVStream* stream = format_->streams[stream_index_];

    decoder_ = avcodec_alloc_context3(codec);
    if (!decoder_) throw IoError(path + ": out of memory");
    if ((err = avcodec_parameters_to_context(decoder_, stream->codecpar)) < 0)
      throw IoError(ffmpeg_message(path, "bad codec parameters", err));
    decoder_->thread_count = 0;  // FFmpeg's own choice; decoding is rarely our bottleneck
    if ((err = avcodec_open2(decoder_, codec, nullptr)) < 0)
      throw IoError(ffmpeg_message(path, "cannot open the " + std::string(codec->name) + " decoder", err));

    info_.width = decoder_->width;
    info_.height = decoder_->height;
    if (info_.width <= 0 || info_.height <= 0) throw IoError(path + ": video has no valid size");
    AVRational rate = stream->avg_frame_rate;
    if (rate.num <= 0 || rate.den <= 0) rate = stream->r_frame_rate;
    if (rate.num <= 0 || rate.den <= 0) rate = AVRational{25, 1};
    av_reduce(&rate.num, &rate.den, rate.num, rate.den, 1 << 30);
    info_.frame_rate = Rational{rate.num, rate.den};
    info_.frame_count = stream->nb_frames > 0 ? stream->nb_frames : -1;
    const char* fmt_name = av_get_pix_fmt_name(decoder_->pix_fmt);
    info_.source_pixel_format = fmt_name ? fmt_name : "unknown";
    info_.converted = !is_native_420(decoder_->pix_fmt);

    packet_ = av_packet_alloc();
    frame_ = av_frame_alloc();
    if (!packet_ || !frame_) throw IoError(path + ": out of memory");
  }

  ~FfmpegReader() override {
    sws_freeContext(scaler_);
    av_frame_free(&frame_);
    av_packet_free(&packet_);
    avcodec_free_context(&decoder_);
    avformat_close_input(&format_);
  }

  const VideoInfo& info() const override { return info_; }

  bool read(Frame& out) override {
    if (!pending_ && !decode_next()) return false;
    pending_ = false;
    convert(out);
    av_frame_unref(frame_);
    return true;
  }

  int64_t skip_to(int64_t target) override {
    if (target <= 0) return 0;
    if (!decode_next()) return 0;  // frame 0: its timestamp anchors the frame grid
    const int64_t origin = frame_->best_effort_timestamp;
    av_frame_unref(frame_);
    if (target > 1 && seekable_by_time() && origin != AV_NOPTS_VALUE) {
      if (seek_to_frame(origin, target)) return target;
      // Back to the start: the container's timestamps cannot be trusted for this.
      if (av_seek_frame(format_, stream_index_, origin, AVSEEK_FLAG_BACKWARD) < 0)
        throw IoError(path_ + ": cannot seek back to the first frame");
      avcodec_flush_buffers(decoder_);
      return drop_frames(target);
    }
    return 1 + drop_frames(target - 1);
  }

 private:
  void check_readable_file() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) throw IoError(path_ + ": no such file");
    if (S_ISDIR(st.st_mode)) throw IoError(path_ + ": is a directory, not a video file");
    if (S_ISREG(st.st_mode) && st.st_size == 0) throw IoError(path_ + ": file is empty");
  }

  // A raw file whose size is not a whole number of frames was almost always given the wrong
  // --size; say so rather than fail on its last, partial frame.
  void check_whole_raw_frames(int width, int height) {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    const int64_t frame_bytes =
        int64_t(width) * height + 2 * int64_t(Frame::chroma_extent(width)) * Frame::chroma_extent(height);
    if (st.st_size % frame_bytes != 0)
      throw IoError(path_ + ": " + std::to_string(st.st_size) + " bytes is not a whole number of " +
                    std::to_string(width) + "x" + std::to_string(height) + " yuv420p frames (" +
                    std::to_string(frame_bytes) + " bytes each): check --size");
  }

  // Decodes and drops up to `count` frames; returns how many there were.
  int64_t drop_frames(int64_t count) {
    int64_t dropped = 0;
    for (; dropped < count && decode_next(); ++dropped) av_frame_unref(frame_);
    return dropped;
  }

  // Containers whose index makes a seek land on a key frame at or before a timestamp, and a
  // constant frame rate: frame n is at origin + n frame durations.
  bool seekable_by_time() const {
    if (!format_->pb || !(format_->pb->seekable & AVIO_SEEKABLE_NORMAL)) return false;
    const std::string name = format_->iformat->name;
    const bool indexed = name == "mov,mp4,m4a,3gp,3g2,mj2" || name == "matroska,webm" || name == "avi" ||
                         name == "yuv4mpegpipe" || name == "rawvideo";
    const AVStream* s = format_->streams[stream_index_];
    return indexed && s->avg_frame_rate.num > 0 && av_cmp_q(s->avg_frame_rate, s->r_frame_rate) == 0;
  }

  // Seeks to the key frame before `target` and decodes up to it, leaving it pending for read().
  // False, with the position undefined, when a frame's timestamp is off the grid, a number is
  // skipped or the seek lands after the target.
  bool seek_to_frame(int64_t origin, int64_t target) {
    const AVStream* s = format_->streams[stream_index_];
    const AVRational frame_units = av_mul_q(s->time_base, s->avg_frame_rate);  // frames per tick
    const double ticks_per_frame = 1.0 / av_q2d(frame_units);
    if (av_seek_frame(format_, stream_index_, origin + int64_t(double(target) * ticks_per_frame + 0.5),
                      AVSEEK_FLAG_BACKWARD) < 0)
      return false;
    avcodec_flush_buffers(decoder_);
    for (int64_t expect = -1;;) {
      if (!decode_next()) return false;
      const int64_t ts = frame_->best_effort_timestamp;
      const double exact = ts == AV_NOPTS_VALUE ? -1 : double(ts - origin) * av_q2d(frame_units);
      const int64_t n = std::llround(exact);
      if (exact < 0 || std::abs(exact - double(n)) > 0.25 || n > target || (expect >= 0 && n != expect)) {
        av_frame_unref(frame_);
        return false;
      }
      if (n == target) return pending_ = true;
      av_frame_unref(frame_);
      expect = n + 1;
    }
  }

  // Decodes the next frame into frame_; false at the end of the stream.
  bool decode_next() {
    for (;;) {
      int err = avcodec_receive_frame(decoder_, frame_);
      if (err == 0) return true;
      if (err == AVERROR_EOF) return false;
      if (err != AVERROR(EAGAIN)) throw IoError(ffmpeg_message(path_, "decoding failed", err));
      feed_decoder();
    }
  }

  // Sends the next packet of our stream to the decoder, or the end-of-stream flush.
  void feed_decoder() {
    for (;;) {
      int err = av_read_frame(format_, packet_);
      if (err == AVERROR_EOF || (err < 0 && avio_feof(format_->pb))) {
        avcodec_send_packet(decoder_, nullptr);
        return;
      }
      if (err < 0) throw IoError(ffmpeg_message(path_, "reading failed", err));
      if (packet_->stream_index != stream_index_) {
        av_packet_unref(packet_);
        continue;
      }
      err = avcodec_send_packet(decoder_, packet_);
      av_packet_unref(packet_);
      // Corrupt packets are reported by the decoder; stop rather than produce garbage silently.
      if (info_.raw && err == AVERROR(EINVAL))  // rawvideo's answer to a partial frame (from a pipe)
        throw IoError(path_ + ": raw input ends with a partial frame: check --size");
      if (err < 0 && err != AVERROR(EAGAIN) && err != AVERROR_INVALIDDATA)
        throw IoError(ffmpeg_message(path_, "decoding failed", err));
      if (err == AVERROR_INVALIDDATA)
        throw IoError(ffmpeg_message(path_, "damaged video data", err));
      return;
    }
  }

  void convert(Frame& out) {
    if (frame_->width != info_.width || frame_->height != info_.height)
      throw IoError(path_ + ": frame size changes mid-stream (" + std::to_string(frame_->width) +
                    "x" + std::to_string(frame_->height) + "), which is not supported");
    out.allocate(info_.width, info_.height);
    AVPixelFormat fmt = AVPixelFormat(frame_->format);
    if (is_native_420(fmt)) {
      for (int p = 0; p < 3; ++p)
        av_image_copy_plane(out.planes[p].data(), out.plane_width(p), frame_->data[p],
                            frame_->linesize[p], out.plane_width(p), out.plane_height(p));
      return;
    }
    scaler_ = sws_getCachedContext(scaler_, frame_->width, frame_->height, fmt, out.width,
                                   out.height, AV_PIX_FMT_YUV420P,
                                   SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr,
                                   nullptr, nullptr);
    if (!scaler_) throw IoError(path_ + ": cannot convert pixel format " + info_.source_pixel_format);
    uint8_t* dst[4] = {out.planes[0].data(), out.planes[1].data(), out.planes[2].data(), nullptr};
    int dst_stride[4] = {out.plane_width(0), out.plane_width(1), out.plane_width(2), 0};
    sws_scale(scaler_, frame_->data, frame_->linesize, 0, frame_->height, dst, dst_stride);
  }

  std::string path_;
  VideoInfo info_;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* decoder_ = nullptr;
  AVPacket* packet_ = nullptr;
  AVFrame* frame_ = nullptr;
  SwsContext* scaler_ = nullptr;
  int stream_index_ = -1;
  bool pending_ = false;  // frame_ holds the next frame to read (after skip_to)
};

}  // namespace

std::unique_ptr<VideoReader> VideoReader::open(const std::string& path, const RawVideoOptions& raw) {
  quiet_ffmpeg_logs();
  auto reader = std::make_unique<FfmpegReader>(path);
  reader->open(raw);
  return reader;
}

}  // namespace vaec::io
