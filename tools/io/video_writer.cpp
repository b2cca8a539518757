#include "io/video_writer.h"

#include <cstdio>

#include "io/atomic_file.h"
#include "io/ffmpeg_error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
}

namespace vaec::io {
namespace {

std::string extension_of(const std::string& path) {
  auto dot = path.find_last_of('.');
  auto slash = path.find_last_of('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot + 1);
  for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

// What each output extension means: container, codec, and whether it must be even-sized.
struct OutputKind {
  const char* muxer;
  const char* encoder;
  bool needs_even_size;
};

bool output_kind(const std::string& path, OutputKind& kind) {
  if (path == "-") return kind = {"yuv4mpegpipe", "wrapped_avframe", false}, true;
  std::string ext = extension_of(path);
  if (ext == "y4m") return kind = {"yuv4mpegpipe", "wrapped_avframe", false}, true;
  if (ext == "yuv") return kind = {"rawvideo", "rawvideo", false}, true;  // bare yuv420p planes, as x264 reads
  if (ext == "mp4") return kind = {"mp4", "libx264", true}, true;
  if (ext == "mkv") return kind = {"matroska", "ffv1", false}, true;
  return false;
}

class FfmpegWriter final : public VideoWriter {
 public:
  FfmpegWriter(std::string path, int width, int height, Rational rate, const VideoWriterOptions& options)
      : path_(std::move(path)), width_(width), height_(height), rate_(rate), options_(options) {}

  ~FfmpegWriter() override {
    av_packet_free(&packet_);
    av_frame_free(&frame_);
    avcodec_free_context(&encoder_);
    if (format_) {
      if (format_->pb && !(format_->oformat->flags & AVFMT_NOFILE)) avio_closep(&format_->pb);
      avformat_free_context(format_);
    }
  }

  void open() {
    OutputKind kind{};
    if (!output_kind(path_, kind))
      throw IoError(path_ + ": unknown output extension (use .y4m, .yuv, .mp4 or .mkv)");
    if (width_ <= 0 || height_ <= 0 || !rate_.valid())
      throw IoError(path_ + ": invalid output size or frame rate");
    // H.264 4:2:0 needs even sizes: pad by one edge row/column, and say so.
    coded_width_ = kind.needs_even_size ? (width_ + 1) & ~1 : width_;
    coded_height_ = kind.needs_even_size ? (height_ + 1) & ~1 : height_;
    if (coded_width_ != width_ || coded_height_ != height_)
      std::fprintf(stderr, "vaec: %s: H.264 needs even dimensions; padding %dx%d to %dx%d "
                   "(use .mkv or .y4m to keep the exact size)\n",
                   path_.c_str(), width_, height_, coded_width_, coded_height_);

    std::string url = path_;
    if (path_ == "-") {
      url = "pipe:1";
    } else {
      AtomicFile::check_writable(path_);
      file_ = std::make_unique<AtomicFile>(path_);
      url = file_->temp_path();
    }
    int err = avformat_alloc_output_context2(&format_, nullptr, kind.muxer, url.c_str());
    if (err < 0 || !format_) throw IoError(ffmpeg_message(path_, "cannot create output", err));
    std::string name = options_.encoder.empty() ? kind.encoder : options_.encoder;
    const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
    if (!codec) throw IoError(path_ + ": this FFmpeg has no " + name + " encoder");
    AVStream* stream = avformat_new_stream(format_, nullptr);
    encoder_ = avcodec_alloc_context3(codec);
    if (!stream || !encoder_) throw IoError(path_ + ": out of memory");

    encoder_->width = coded_width_;
    encoder_->height = coded_height_;
    encoder_->pix_fmt = AV_PIX_FMT_YUV420P;
    encoder_->time_base = AVRational{int(rate_.den), int(rate_.num)};
    encoder_->framerate = AVRational{int(rate_.num), int(rate_.den)};
    encoder_->sample_aspect_ratio = AVRational{1, 1};
    if (format_->oformat->flags & AVFMT_GLOBALHEADER) encoder_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    encoder_->thread_count = options_.threads;
    if (options_.gop > 0) encoder_->gop_size = options_.gop;
    if (options_.low_delay) encoder_->max_b_frames = 0;
    AVDictionary* opts = nullptr;
    if (!options_.encoder.empty()) {
      for (const auto& [key, value] : options_.encoder_options) av_dict_set(&opts, key.c_str(), value.c_str(), 0);
    } else if (name == "libx264") {
      av_dict_set(&opts, "preset", options_.x264_preset.c_str(), 0);
      av_dict_set(&opts, "crf", std::to_string(options_.x264_crf).c_str(), 0);
      encoder_->profile = FF_PROFILE_H264_HIGH;  // 8-bit 4:2:0 High: plays everywhere
    } else if (name == "ffv1") {
      av_dict_set(&opts, "level", "3", 0);
      av_dict_set(&opts, "slicecrc", "1", 0);
    }
    err = avcodec_open2(encoder_, codec, &opts);
    av_dict_free(&opts);
    if (err < 0) throw IoError(ffmpeg_message(path_, "cannot open the " + name + " encoder", err));
    if ((err = avcodec_parameters_from_context(stream->codecpar, encoder_)) < 0)
      throw IoError(ffmpeg_message(path_, "cannot set stream parameters", err));
    stream->time_base = encoder_->time_base;
    stream->avg_frame_rate = encoder_->framerate;

    if (!(format_->oformat->flags & AVFMT_NOFILE) &&
        (err = avio_open(&format_->pb, url.c_str(), AVIO_FLAG_WRITE)) < 0)
      throw IoError(ffmpeg_message(path_, "cannot write output", err));
    if ((err = avformat_write_header(format_, nullptr)) < 0)
      throw IoError(ffmpeg_message(path_, "cannot write the container header", err));

    frame_ = av_frame_alloc();
    packet_ = av_packet_alloc();
    if (!frame_ || !packet_) throw IoError(path_ + ": out of memory");
  }

  void write(const Frame& in) override {
    if (finished_) throw IoError(path_ + ": write after finish");
    if (in.width != width_ || in.height != height_)
      throw IoError(path_ + ": frame size " + std::to_string(in.width) + "x" +
                    std::to_string(in.height) + " differs from the stream's");
    frame_->format = AV_PIX_FMT_YUV420P;
    frame_->width = coded_width_;
    frame_->height = coded_height_;
    int err = av_frame_get_buffer(frame_, 0);
    if (err < 0) throw IoError(ffmpeg_message(path_, "cannot allocate a frame", err));
    copy_padded(in);
    frame_->pts = next_pts_++;
    err = avcodec_send_frame(encoder_, frame_);
    av_frame_unref(frame_);
    if (err < 0) throw IoError(ffmpeg_message(path_, "encoding failed", err));
    drain();
  }

  void finish() override {
    if (finished_) return;
    int err = avcodec_send_frame(encoder_, nullptr);
    if (err < 0) throw IoError(ffmpeg_message(path_, "encoding failed", err));
    drain();
    if ((err = av_write_trailer(format_)) < 0)
      throw IoError(ffmpeg_message(path_, "cannot finish the container", err));
    if (!(format_->oformat->flags & AVFMT_NOFILE)) avio_closep(&format_->pb);
    if (file_) file_->commit();
    finished_ = true;
  }

 private:
  // Copies the picture, replicating the last column/row into any padding.
  void copy_padded(const Frame& in) {
    for (int p = 0; p < 3; ++p) {
      int w = in.plane_width(p), h = in.plane_height(p);
      int cw = p ? (coded_width_ + 1) / 2 : coded_width_;
      int ch = p ? (coded_height_ + 1) / 2 : coded_height_;
      for (int y = 0; y < ch; ++y) {
        const uint8_t* src = in.planes[p].data() + size_t(std::min(y, h - 1)) * w;
        uint8_t* dst = frame_->data[p] + size_t(y) * frame_->linesize[p];
        std::copy(src, src + w, dst);
        for (int x = w; x < cw; ++x) dst[x] = src[w - 1];
      }
    }
  }

  void drain() {
    AVStream* stream = format_->streams[0];
    for (;;) {
      int err = avcodec_receive_packet(encoder_, packet_);
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
      if (err < 0) throw IoError(ffmpeg_message(path_, "encoding failed", err));
      av_packet_rescale_ts(packet_, encoder_->time_base, stream->time_base);
      packet_->stream_index = 0;
      err = av_interleaved_write_frame(format_, packet_);
      if (err < 0) throw IoError(ffmpeg_message(path_, "cannot write output", err));
    }
  }

  std::string path_;
  int width_, height_;
  int coded_width_ = 0, coded_height_ = 0;
  Rational rate_;
  VideoWriterOptions options_;
  std::unique_ptr<AtomicFile> file_;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* encoder_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  int64_t next_pts_ = 0;
  bool finished_ = false;
};

}  // namespace

bool is_supported_output(const std::string& path) {
  OutputKind kind{};
  return output_kind(path, kind);
}

std::unique_ptr<VideoWriter> VideoWriter::create(const std::string& path, int width, int height,
                                                 Rational frame_rate,
                                                 const VideoWriterOptions& options) {
  quiet_ffmpeg_logs();
  auto writer = std::make_unique<FfmpegWriter>(path, width, height, frame_rate, options);
  writer->open();
  return writer;
}

}  // namespace vaec::io
