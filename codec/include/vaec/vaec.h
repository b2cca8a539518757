/*
 * vaec: a learned (VAE) video codec. Public C API (plain C99, ABI-stable).
 *
 * Shaped like dav1d: open a context, push input, pull output, close. Every function returns
 * VAEC_OK (0) or a negative VaecStatus; vaec_status_str() explains it. No function throws,
 * aborts or keeps global state (but for the two process-wide settings under "Threads"). Pictures are 8-bit YUV 4:2:0.
 *
 * Stream model: a stream starts with a stream header (the .vae file header record, also
 * usable as codec extradata), followed by one packet per frame (a .vae packet record, with
 * frame type, display index, length and checksum). See docs/bitstream.md.
 *
 * Encoding:
 *
 *     VaecSettings s;
 *     vaec_default_settings(&s);
 *     s.model_path = "samples/model.vaem"; s.width = w; s.height = h; s.fps_num = 25;
 *     VaecContext *enc = NULL;
 *     if (vaec_encoder_open(&enc, &s) < 0) ...;
 *     VaecPacket pkt;
 *     for (each input picture pic) {            // pic planes stay owned by the caller
 *         int res = vaec_send_frame(enc, &pic);  // VAEC_EAGAIN: drain packets first, resend
 *         while ((res = vaec_receive_packet(enc, &pkt)) == VAEC_OK) {
 *             write(pkt.data, pkt.size);         // the first packet is the stream header
 *             vaec_packet_unref(&pkt);
 *         }
 *         if (res != VAEC_EAGAIN) ...error;
 *     }
 *     vaec_send_frame(enc, NULL);                // flush
 *     while (vaec_receive_packet(enc, &pkt) == VAEC_OK) { write(...); vaec_packet_unref(&pkt); }
 *     vaec_close(&enc);                          // enc == NULL afterwards
 *
 * Decoding:
 *
 *     VaecContext *dec = NULL;
 *     vaec_decoder_open(&dec, &s);               // s.model_path must hold the stream's model
 *     for (each packet, the stream header first) {
 *         VaecPacket in = { .data = bytes, .size = n };  // data is copied; caller keeps it
 *         int res = vaec_send_packet(dec, &in);  // VAEC_EAGAIN: get frames first, resend
 *         VaecPicture pic;
 *         while ((res = vaec_get_frame(dec, &pic)) == VAEC_OK) {
 *             use(pic.data, pic.stride, pic.pts);
 *             vaec_picture_unref(&pic);
 *         }
 *         if (res != VAEC_EAGAIN) ...error;
 *     }
 *     vaec_send_packet(dec, NULL);               // flush, then drain with vaec_get_frame
 *     vaec_close(&dec);
 *
 * Writing and reading .vae files (header, packets, index): vaec/vaec_file.h.
 *
 * Threads: `threads` is each context's own. A decoder runs its own worker threads. An encoder
 * runs LibTorch, which keeps its thread count per process (per calling thread with OpenMP), so
 * every encoder call that computes sets the context's count again; it stays set in the calling
 * thread afterwards. A library built without LibTorch (-DVAEC_TORCH=OFF) decodes only:
 * vaec_encoder_open returns VAEC_EUNSUPPORTED. The first context opened in a process keeps
 * large freed buffers in the heap (glibc mallopt M_MMAP_THRESHOLD 32 MiB, M_TRIM_THRESHOLD
 * 256 MiB): each frame reuses the same large buffers, ~20 % faster decoding; it changes
 * where the process's memory comes from, never what it computes.
 *
 * ABI rules: structs only grow at the end into their reserved fields; enum values never
 * change; callers always initialise settings with vaec_default_settings().
 */
#ifndef VAEC_VAEC_H
#define VAEC_VAEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VAEC_API __attribute__((visibility("default")))
#else
#define VAEC_API
#endif

#define VAEC_API_VERSION_MAJOR 0
#define VAEC_API_VERSION_MINOR 4

/* Status codes: VAEC_OK or negative. Values are stable. */
typedef enum VaecStatus {
  VAEC_OK = 0,
  VAEC_EAGAIN = -1,           /* no output now: send more input (or input full: drain) */
  VAEC_EOF = -2,              /* flushed and fully drained */
  VAEC_EINVAL = -3,           /* invalid argument or call sequence */
  VAEC_ENOMEM = -4,           /* allocation failed */
  VAEC_EINVALIDDATA = -5,     /* malformed bitstream */
  VAEC_ECHECKSUM = -6,        /* a packet or header checksum did not match */
  VAEC_ETRUNCATED = -7,       /* the data ended inside a header or packet */
  VAEC_ELIMIT = -8,           /* a value beyond this build's limits (size, rate, ...) */
  VAEC_EUNSUPPORTED = -9,     /* newer major bitstream version, unknown format, no encoder here */
  VAEC_EMODEL = -10,          /* model missing, unreadable, or not the stream's model */
  VAEC_EIO = -11,             /* reading or writing failed */
  VAEC_EINTERNAL = -12        /* a bug: please report it */
} VaecStatus;

/* A static, human-readable description of a status code (never NULL). */
VAEC_API const char *vaec_status_str(int status);

typedef enum VaecPixelFormat {
  VAEC_PIX_FMT_YUV420P = 0 /* 8-bit planar Y, U, V; chroma (w+1)/2 x (h+1)/2 */
} VaecPixelFormat;

typedef enum VaecFrameType {
  VAEC_FRAME_NONE = 0,   /* not a frame: the stream header */
  VAEC_FRAME_I = 1,      /* intra: decodable on its own, a seek point */
  VAEC_FRAME_P = 2       /* predicted from the previous frame */
} VaecFrameType;

/* Instruction-set caps (VaecSettings.cpu), like dav1d's cpu mask. Every level decodes the
   same pixels; a level this CPU lacks makes vaec_*_open fail with VAEC_EINVAL. */
typedef enum VaecCpu {
  VAEC_CPU_AUTO = 0,     /* the best this CPU has (the default) */
  VAEC_CPU_GENERIC = 1,  /* portable C++ only */
  VAEC_CPU_AVX2 = 2,     /* up to AVX2 */
  VAEC_CPU_AVX512 = 3    /* up to AVX-512 (F, BW, DQ, VL, VNNI) */
} VaecCpu;

/* Encoder presets (VaecSettings.preset), as x264's: how much encoding time buys compression.
   The model is the caller's choice (model_path); the `vaec` tool and the FFmpeg plugin pick
   the bundled model of each preset (README.md "Presets"). Every preset's stream decodes with
   any decoder of the same bitstream version. */
typedef enum VaecPreset {
  VAEC_PRESET_DEFAULT = 0,  /* medium */
  VAEC_PRESET_FAST = 1,     /* the bundled narrow model: the fastest to code and decode */
  VAEC_PRESET_MEDIUM = 2,
  VAEC_PRESET_SLOW = 3,     /* medium + every I-frame's latents optimised for its picture */
  VAEC_PRESET_VERYSLOW = 4  /* slow with a longer optimization */
} VaecPreset;

/* "fast", "medium", "slow", "veryslow" (VAEC_PRESET_DEFAULT: "medium"); NULL for others. */
VAEC_API const char *vaec_preset_name(int preset);

typedef struct VaecSettings {
  const char *model_path; /* model file; the decoder checks it against the stream's hash. Or a
                             directory of models (*.vaem, the bundled set): the encoder takes
                             its preset's model there (README.md "Presets"), the decoder the
                             one whose hash the stream names */
  int quality;            /* 1 (smallest) .. 100 (best); default 50 */
  int gop;                /* I-frame interval in frames, >= 1 (1 = all intra); default 32 */
  int threads;            /* worker threads, >= 0 (0 = automatic); never changes output */
  int width, height;      /* encoder: picture size, 1..16384 */
  int fps_num, fps_den;   /* encoder: frame rate as a rational, e.g. 30000/1001 */
  int frame_count;        /* encoder: number of frames if known, else 0 */
  int bitrate_kbps;       /* encoder: > 0 picks the quality of each GOP so the stream's average
                             bitrate lands near this target (quality is then the start point) */
  int cpu;                /* a VaecCpu: caps the instruction set of the integer synthesis;
                             never changes output (a test and benchmarking switch) */
  int preset;             /* encoder: a VaecPreset; default VAEC_PRESET_DEFAULT (medium) */
  int first_frame;        /* encoder: source frame number of the first frame sent, >= 0 (a
                             segment of a longer video; recorded in the stream header so that
                             segments can be joined in order: vaec_file_concat) */
  int max_bitstream_major; /* encoder: 0 (default): the newest version the preset's tools need;
                             4: a stream every 4.x decoder reads (no synthesis updates, so
                             bigger at equal quality; docs/bitstream.md §6) (API 0.4) */
  uint32_t reserved[11];  /* must be zero (vaec_default_settings does it) */
} VaecSettings;

typedef struct VaecPicture {
  int width, height;
  VaecPixelFormat format;
  uint8_t *data[3];       /* Y, U, V planes */
  ptrdiff_t stride[3];    /* bytes between rows of each plane */
  int64_t pts;            /* presentation time in frame units (the display index) */
  VaecFrameType frame_type; /* decoder output: how the frame was coded */
  void *priv;             /* library-owned buffer when returned by vaec_get_frame */
  uint32_t reserved[8];
} VaecPicture;

typedef struct VaecPacket {
  const uint8_t *data;    /* one stream header or one packet record */
  size_t size;
  int64_t pts;            /* display index of the frame (encoder output) */
  VaecFrameType frame_type; /* VAEC_FRAME_NONE for the stream header */
  void *priv;             /* library-owned buffer when returned by vaec_receive_packet */
  int quality;            /* a frame's quality (1..100, its payload's first byte); 0: header */
  int synthesis_update_bytes; /* an I-frame's synthesis update (bitstream 5.0), bytes of its
                                 payload; 0: none (API 0.4) */
  uint32_t reserved[6];
} VaecPacket;

typedef struct VaecContext VaecContext; /* an encoder or a decoder */

VAEC_API void vaec_default_settings(VaecSettings *settings);

VAEC_API int vaec_encoder_open(VaecContext **ctx, const VaecSettings *settings);
/* Copies the picture. NULL starts flushing. */
VAEC_API int vaec_send_frame(VaecContext *ctx, const VaecPicture *picture);
/* On VAEC_OK the packet stays valid until vaec_packet_unref(). */
VAEC_API int vaec_receive_packet(VaecContext *ctx, VaecPacket *packet);
VAEC_API void vaec_packet_unref(VaecPacket *packet);

VAEC_API int vaec_decoder_open(VaecContext **ctx, const VaecSettings *settings);
/* Copies the data. NULL starts flushing. */
VAEC_API int vaec_send_packet(VaecContext *ctx, const VaecPacket *packet);
/* On VAEC_OK the picture stays valid until vaec_picture_unref(). */
VAEC_API int vaec_get_frame(VaecContext *ctx, VaecPicture *picture);
VAEC_API void vaec_picture_unref(VaecPicture *picture);

/* The *.vaem file in directory `dir` whose model hash (XXH3-128 of the file, as a stream header
 * records it) is `hash`: its path, written into `path` (size bytes, NUL-terminated). VAEC_OK,
 * VAEC_EMODEL when none is, VAEC_EINVAL when `path` is too small or an argument is NULL. */
VAEC_API int vaec_find_model(const char *dir, const uint8_t hash[16], char *path, size_t size);

/* Frees the context (encoder or decoder) and sets *ctx to NULL; NULL-safe. */
VAEC_API void vaec_close(VaecContext **ctx);

/* A readable explanation of the context's last failure (e.g. the two model hashes when a
 * stream was made with another model); "" when none. With ctx == NULL: the last failed
 * vaec_encoder_open/vaec_decoder_open of this thread. Valid until the next call on ctx. */
VAEC_API const char *vaec_error_detail(const VaecContext *ctx);

#ifdef __cplusplus
}
#endif

#endif /* VAEC_VAEC_H */
