#include "train/distributed.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <vector>

#include <fmt/core.h>
#include <fmt/ranges.h>

namespace vaec::train {

namespace {

int parse_int(const std::string& s, const std::string& what) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
    throw std::invalid_argument(fmt::format("{} must be a non-negative integer, not '{}'", what, s));
  return std::stoi(s);
}

int parse_port(const std::string& s, const std::string& what) {
  const int port = parse_int(s, what);
  if (port < 1 || port > 65535) throw std::invalid_argument(fmt::format("{} must be in 1..65535, not {}", what, port));
  return port;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// The address of this machine's interface that routes to `host` (a UDP "connect" sends
// nothing); empty when it cannot be found. Gloo must listen there, not on whatever the
// hostname resolves to (127.0.1.1 on a default Debian install).
std::string local_address_towards(const std::string& host, int port) {
  addrinfo hints{}, *found = nullptr;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) return {};
  std::string result;
  const int fd = socket(found->ai_family, SOCK_DGRAM, 0);
  if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    char text[INET6_ADDRSTRLEN] = {};
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
      const void* addr = local.ss_family == AF_INET6
                             ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr)
                             : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr);
      if (inet_ntop(local.ss_family, addr, text, sizeof text)) result = text;
    }
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  return result;
}

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(int64_t(std::llround(seconds * 1000.0)));
}

// An exception's message without c10's C++ backtrace.
std::string reason(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  return e.what();
}

}  // namespace

std::pair<std::string, int> parse_dist_url(const std::string& url) {
  const std::string scheme = "tcp://";
  auto bad = [&](const std::string& why) {
    return std::invalid_argument(fmt::format("--dist-url '{}': {} (expected tcp://HOST:PORT, the address of rank 0)", url, why));
  };
  if (url.rfind(scheme, 0) != 0) throw bad("only tcp:// is supported");
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  std::string host, port;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:PORT
    const size_t close_at = rest.find(']');
    if (close_at == std::string::npos || close_at + 1 >= rest.size() || rest[close_at + 1] != ':')
      throw bad("malformed [IPv6]:PORT");
    host = rest.substr(1, close_at - 1);
    port = rest.substr(close_at + 2);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) throw bad("no port");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.find(':') != std::string::npos) throw bad("write an IPv6 host in brackets");
  }
  if (host.empty()) throw bad("no host");
  if (host.find_first_of("/?#@ ") != std::string::npos) throw bad("malformed host");
  try {
    return {host, parse_port(port, "the port")};
  } catch (const std::invalid_argument& e) {
    throw bad(e.what());
  }
}

std::string first_slurm_host(const std::string& nodelist) {
  auto bad = [&] { return std::invalid_argument("malformed Slurm node list '" + nodelist + "'"); };
  // The first entry at bracket depth 0.
  int depth = 0;
  size_t end = 0;
  for (; end < nodelist.size(); ++end) {
    const char c = nodelist[end];
    if (c == '[') ++depth;
    else if (c == ']' && --depth < 0) throw bad();
    else if (c == ',' && depth == 0) break;
  }
  const std::string entry = nodelist.substr(0, end);
  if (entry.empty() || depth != 0) throw bad();
  const size_t open = entry.find('[');
  if (open == std::string::npos) return entry;
  const size_t close = entry.find(']', open);
  if (close == std::string::npos || close == open + 1) throw bad();
  std::string range = entry.substr(open + 1, close - open - 1);  // "07-09,12"
  range = range.substr(0, range.find(','));
  range = range.substr(0, range.find('-'));
  if (range.empty() || !std::all_of(range.begin(), range.end(), [](unsigned char c) { return std::isdigit(c); }))
    throw bad();
  return entry.substr(0, open) + range + entry.substr(close + 1);
}

DistOptions resolve_dist_options(const DistArgs& args, const std::function<const char*(const char*)>& getenv) {
  auto env = [&](const char* name) -> std::string {
    const char* v = getenv(name);
    return v ? std::string(v) : std::string();
  };
  DistOptions o;
  if (!(args.timeout_seconds > 0) || args.timeout_seconds > 86400)
    throw std::invalid_argument("--dist-timeout must be in (0, 86400] seconds");
  o.timeout_seconds = args.timeout_seconds;
  o.interface = env("GLOO_SOCKET_IFNAME");
  const bool given = args.world_size > 0 || args.rank >= 0;
  const std::string slurm_tasks = !env("SLURM_STEP_NUM_TASKS").empty() ? env("SLURM_STEP_NUM_TASKS")
                                                                       : env("SLURM_NTASKS");
  const bool slurm = !given && !env("SLURM_PROCID").empty() && !slurm_tasks.empty() &&
                     parse_int(slurm_tasks, "SLURM_NTASKS") > 1;
  if (slurm) {
    o.origin = "Slurm";
    o.rank = parse_int(env("SLURM_PROCID"), "SLURM_PROCID");
    o.world_size = parse_int(slurm_tasks, "SLURM_NTASKS");
    const std::string nodes = !env("SLURM_STEP_NODELIST").empty() ? env("SLURM_STEP_NODELIST")
                                                                   : env("SLURM_JOB_NODELIST");
    if (!env("MASTER_ADDR").empty()) o.master_host = env("MASTER_ADDR");
    else if (!nodes.empty()) o.master_host = first_slurm_host(nodes);
    else throw std::invalid_argument("under srun: neither SLURM_STEP_NODELIST, SLURM_JOB_NODELIST nor MASTER_ADDR names rank 0's host");
    if (!env("MASTER_PORT").empty()) o.port = parse_port(env("MASTER_PORT"), "MASTER_PORT");
    else if (!args.url.empty()) o.port = parse_dist_url(args.url).second;
  } else if (given || !args.url.empty()) {
    o.origin = "--dist-url";
    o.world_size = args.world_size > 0 ? args.world_size : 1;
    if (o.world_size > 1 && args.rank < 0)
      throw std::invalid_argument(fmt::format("--world-size {} needs --rank (0 .. {}) for this process", o.world_size, o.world_size - 1));
    o.rank = std::max(0, args.rank);
    if (o.world_size > 1 && args.url.empty())
      throw std::invalid_argument("--world-size > 1 needs --dist-url tcp://HOST:PORT (the address where rank 0 listens)");
    if (!args.url.empty() && args.world_size <= 0)
      throw std::invalid_argument("--dist-url needs --world-size N and --rank R");
    if (!args.url.empty()) std::tie(o.master_host, o.port) = parse_dist_url(args.url);
  }
  if (o.world_size < 1 || o.world_size > 65536)
    throw std::invalid_argument(fmt::format("the world size must be in 1..65536, not {}", o.world_size));
  if (o.rank < 0 || o.rank >= o.world_size)
    throw std::invalid_argument(fmt::format("rank {} is out of range for world size {} (ranks are 0 .. {})",
                                            o.rank, o.world_size, o.world_size - 1));
  return o;
}

struct Communicator::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

  // Marks this rank as arrived at `name` and waits up to `timeout` for all; returns the ranks
  // that did not arrive (empty: all did). Throws what the store throws when it is unreachable.
  std::vector<int> meet(const std::string& name, int rank, int world, std::chrono::milliseconds timeout) {
    std::vector<std::string> keys;
    for (int r = 0; r < world; ++r) keys.push_back(fmt::format("vaec/{}/{}", name, r));
    store->set(keys[size_t(rank)], {1});
    try {
      store->wait(keys, timeout);
      return {};
    } catch (const std::exception&) {
      std::vector<int> missing;
      for (int r = 0; r < world; ++r)
        if (!store->check({keys[size_t(r)]})) missing.push_back(r);
      if (missing.empty()) throw;
      return missing;
    }
  }
};

Communicator::Communicator(const DistOptions& options) : options_(options) {
  if (options_.world_size <= 1) return;
  impl_ = std::make_unique<Impl>();
  const int rank = options_.rank, world = options_.world_size;
  const std::string where = fmt::format("{}:{}", options_.master_host, options_.port);
  const auto timeout = to_ms(options_.timeout_seconds);
  c10d::TCPStoreOptions store_options;
  store_options.port = uint16_t(options_.port);
  store_options.isServer = rank == 0;
  store_options.numWorkers = size_t(world);
  store_options.waitWorkers = false;  // meet() below names the missing ranks instead
  store_options.timeout = timeout;
  try {
    impl_->store = c10::make_intrusive<c10d::TCPStore>(options_.master_host, store_options);
  } catch (const std::exception& e) {
    if (rank == 0)
      throw DistError(fmt::format("rank 0 of {}: cannot listen at {} for the rendezvous: {}\nis the port in use "
                                  "(another run)? pick another port in --dist-url",
                                  world, where, reason(e)));
    throw DistError(fmt::format(
        "rank {} of {}: cannot reach the master (rank 0's store) at {} within {} s: {}\nstart rank 0 "
        "(it must be running, with the same --dist-url), check the host, port and firewall, or "
        "raise --dist-timeout",
        rank, world, where, options_.timeout_seconds, reason(e)));
  }
  std::vector<int> missing;
  try {
    missing = impl_->meet("joined", rank, world, timeout);
  } catch (const std::exception& e) {
    fail("joining the rendezvous at " + where, e);
  }
  if (!missing.empty())
    throw DistError(fmt::format(
        "rank {} of {}: rank {} did not join the rendezvous at {} within {} s\nstart every rank with the "
        "same --dist-url and --world-size {} (ranks 0 .. {}), or raise --dist-timeout",
        rank, world, fmt::join(missing, ", rank "), where, options_.timeout_seconds, world, world - 1));
  try {
    std::shared_ptr<::gloo::transport::Device> device;
    if (!options_.interface.empty()) {
      device = c10d::ProcessGroupGloo::createDeviceForInterface(options_.interface);
    } else if (is_loopback(options_.master_host)) {
      device = c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    } else {
      const std::string local = local_address_towards(options_.master_host, options_.port);
      device = local.empty() ? c10d::ProcessGroupGloo::createDefaultDevice()
                             : c10d::ProcessGroupGloo::createDeviceForHostname(local);
    }
    auto group_options = c10d::ProcessGroupGloo::Options::create(timeout);
    group_options->devices.push_back(device);
    group_options->threads = 1;
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, rank, world, group_options);
  } catch (const std::exception& e) {
    fail("connecting to the other ranks (Gloo, rendezvous through " + where + ")", e);
  }
}

Communicator::~Communicator() = default;

void Communicator::fail(const std::string& what, const std::exception& e) const {
  throw DistError(fmt::format(
      "rank {} of {}: {} failed: {}\nanother rank has probably stopped (crashed, killed, out of "
      "memory, or its network failed; see its output) or is slower than --dist-timeout ({} s). "
      "Training cannot go on without it: stop every rank, then restart all of them with --resume "
      "to continue from rank 0's last checkpoint",
      options_.rank, options_.world_size, what, reason(e), options_.timeout_seconds));
}

void Communicator::allreduce_sum(at::Tensor& tensor) {
  if (!impl_) return;
  try {
    std::vector<at::Tensor> list{tensor};
    impl_->group->allreduce(list)->wait();
  } catch (const std::exception& e) {
    fail("an all-reduce", e);
  }
}

void Communicator::broadcast(at::Tensor& tensor) {
  if (!impl_) return;
  try {
    std::vector<at::Tensor> list{tensor};
    c10d::BroadcastOptions o;
    o.rootRank = 0;
    impl_->group->broadcast(list, o)->wait();
  } catch (const std::exception& e) {
    fail("a broadcast from rank 0", e);
  }
}

std::string Communicator::broadcast_string(const std::string& key, const std::string& value) {
  if (!impl_) return value;
  try {
    if (options_.rank == 0) {
      impl_->store->set("vaec/" + key, std::vector<uint8_t>(value.begin(), value.end()));
      return value;
    }
    const std::vector<uint8_t> got = impl_->store->get("vaec/" + key);
    return std::string(got.begin(), got.end());
  } catch (const std::exception& e) {
    fail("receiving '" + key + "' from rank 0", e);
  }
}

void Communicator::wait_for_all(const std::string& name, double seconds) {
  if (!impl_) return;
  std::vector<int> missing;
  try {
    missing = impl_->meet(name, options_.rank, options_.world_size, to_ms(seconds));
  } catch (const std::exception& e) {
    fail("waiting for all ranks (" + name + ")", e);
  }
  if (!missing.empty())
    throw DistError(fmt::format("rank {} of {}: rank {} did not reach '{}' within {} s: see its output; restart every "
                                "rank (with --resume to continue from rank 0's last checkpoint)",
                                options_.rank, options_.world_size, fmt::join(missing, ", rank "), name, seconds));
}

}  // namespace vaec::train
