#include "image/chunk_writer.hpp"

#include "core/error.hpp"
#include "image/data_file_appender.hpp"
#include "image/chunk_checksum.hpp"
#include "image/chunk_index.hpp"
#include "image/codec_choice.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace stasis::image {

namespace {

// Bounds the memory held by runs that were read but not yet written.
constexpr std::size_t queue_limit = std::size_t{64} << 20;

// Buffers kept for reuse: enough for the runs the workers have in hand,
// without keeping the whole queue's worth once it drains.
constexpr std::size_t spare_buffer_limit = 16;

static_assert(ZSTD_COMPRESSBOUND(max_chunk_size) <= DataFileAppender::max_reserve,
              "a chunk is compressed straight into the data file's buffer");

// Bytes each worker writes at once. Measured on a virtio disk, two streams
// of 4 MiB direct writes reached the disk's speed where 1 MiB ones took 30 %
// longer; with many workers, many writes are in flight anyway, and a
// writer's buffers stay near 32 MiB plus 1 MiB a worker (a job frozen near
// its memory limit pays for them).
std::size_t gather_size(std::size_t workers)
{
    constexpr std::size_t mib = std::size_t{1} << 20;
    return std::clamp(32 * mib / workers, mib, 4 * mib);
}

struct Run {
    std::uint64_t vaddr;
    std::size_t size;
    std::vector<std::byte> data;                       // given by add
    std::function<void(std::span<std::byte>)> fill;  // or read by the worker (add_read)
};

// One worker's private state: nothing here is shared, so it needs no lock.
struct Worker {
    std::filesystem::path path;
    std::string name;
    std::optional<DataFileAppender> file;
    std::optional<ChunkEncoder> encoder;  // unless compression none
    CodecChoice choice;
    std::vector<Chunk> chunks;
};

// What the codec choice made, for a site that wonders why an image is
// larger than it expected: with compression auto, the disk's speed decides.
void log_codecs(const std::vector<Worker>& workers, Compression compression)
{
    std::uint64_t written = 0;
    std::uint64_t compressed = 0;
    std::uint64_t shuffled = 0;
    double speed = 0;
    for (const Worker& w : workers) {
        for (const Chunk& c : w.chunks) {
            if (c.file == w.name) {
                written += c.size;
                compressed += c.codec != Codec::none ? c.size : 0;
                shuffled += shuffle_width(c.codec) != 0 ? c.size : 0;
            }
        }
        speed += w.file->direct_write_speed();
    }
    constexpr double mib = 1 << 20;
    spdlog::debug("compression {}: {:.1f} of {:.1f} MiB compressed ({:.1f} byte-shuffled), the rest written as "
                  "it is; writes at {:.0f} MiB/s ({} writers)",
                  compression_name(compression), static_cast<double>(compressed) / mib,
                  static_cast<double>(written) / mib, static_cast<double>(shuffled) / mib, speed / mib,
                  workers.size());
}

}  // namespace

struct ChunkWriter::Impl {
    Compression compression;
    int level;
    const ChunkIndex* parent;
    const ChunkIndex* forked_from;
    std::vector<Worker> workers;
    std::vector<std::thread> threads;
    std::vector<Chunk> unchanged;  // add_unchanged: only the caller's thread touches it

    std::mutex mu;
    std::condition_variable work_ready;  // workers wait for runs
    std::condition_variable space_free;  // add() waits for room in the queue
    std::deque<Run> queue;
    std::vector<std::vector<std::byte>> spare;  // buffers workers are done with
    std::size_t pending_bytes = 0;  // queued plus being compressed
    bool draining = false;          // finish(): write what is queued, then stop
    bool aborting = false;          // destructor or error: stop at once
    bool finished = false;
    std::exception_ptr error;

    Impl(const std::filesystem::path& dir, const std::string& prefix, const WriterSettings& settings);
    ~Impl() { stop(); }

    void open_worker(Worker& w, const std::filesystem::path& dir, const std::string& prefix, std::size_t i);
    void enqueue(Run run);
    std::vector<std::byte> spare_buffer(std::size_t size);
    void stop();
    void run_worker(Worker& w);
    void store(Worker& w, const Run& run);
    void fail(std::exception_ptr e);
    void rethrow_error();
};

ChunkWriter::Impl::Impl(const std::filesystem::path& dir, const std::string& prefix, const WriterSettings& settings)
    : compression(settings.compression), level(settings.level), parent(settings.parent),
      forked_from(settings.forked_from), workers(std::max(settings.workers, 1U))
{
    try {
        for (std::size_t i = 0; i < workers.size(); ++i) {
            open_worker(workers[i], dir, prefix, i);
        }
        threads.reserve(workers.size());
        for (Worker& w : workers) {
            threads.emplace_back([this, &w] { run_worker(w); });
        }
    } catch (...) {
        // A throwing constructor gets no destructor call, and a retry must
        // not trip over files this attempt created.
        stop();
        for (const Worker& w : workers) {
            if (w.file) {
                ::unlink(w.path.c_str());
            }
        }
        throw;
    }
}

void ChunkWriter::Impl::open_worker(Worker& w, const std::filesystem::path& dir, const std::string& prefix,
                                    std::size_t i)
{
    w.name = prefix + "-" + std::to_string(i) + ".bin";
    w.path = dir / w.name;
    w.file.emplace(w.path, gather_size(workers.size()));
    if (compression != Compression::none) {
        w.encoder.emplace(level);
    }
}

void ChunkWriter::Impl::stop()
{
    {
        std::lock_guard lock(mu);
        aborting = true;
    }
    work_ready.notify_all();
    space_free.notify_all();
    for (std::thread& t : threads) {
        if (t.joinable()) {
            t.join();
        }
    }
}

void ChunkWriter::Impl::run_worker(Worker& w)
{
    std::unique_lock lock(mu);
    for (;;) {
        work_ready.wait(lock, [&] { return aborting || draining || !queue.empty(); });
        if (aborting || queue.empty()) {
            return;
        }
        Run run = std::move(queue.front());
        queue.pop_front();
        lock.unlock();
        try {
            if (run.fill) {
                run.data = spare_buffer(run.size);
                run.fill(run.data);
            }
            store(w, run);
        } catch (...) {
            fail(std::current_exception());
        }
        const std::size_t n = run.size;
        lock.lock();
        if (spare.size() < spare_buffer_limit) {
            spare.push_back(std::move(run.data));
        }
        pending_bytes -= n;
        space_free.notify_all();
    }
}

void ChunkWriter::Impl::store(Worker& w, const Run& run)
{
    const std::byte* src = run.data.data();
    const std::size_t size = run.data.size();
    Chunk c{.vaddr = run.vaddr, .size = size, .file = w.name, .offset = w.file->size(),
            .stored_size = size, .codec = Codec::none, .xxh3 = chunk_checksum(std::span(src, size))};
    for (const ChunkIndex* stored : {parent, forked_from}) {
        if (const Chunk* same = stored ? stored->find(c.vaddr, c.size, c.xxh3) : nullptr) {
            w.chunks.push_back(*same);
            return;
        }
    }
    const double write_speed = compression == Compression::automatic ? w.file->direct_write_speed() : 0;
    const Encoding encoding = w.encoder ? w.choice.choose(*w.encoder, std::span(src, size), write_speed) : Encoding{};
    if (encoding.codec != Codec::none) {
        // Compressed straight into the file's next bytes.
        const std::size_t z =
            w.encoder->encode(encoding, std::span(src, size), w.file->reserve(ZSTD_compressBound(size)));
        w.choice.learn(w.encoder->planes());
        // Incompressible runs are kept raw: smaller, and free to read back.
        if (z < size) {
            w.file->commit(z);
            c.stored_size = z;
            c.codec = encoding.codec;
            w.chunks.push_back(std::move(c));
            return;
        }
    }
    w.file->append(std::span(src, size));
    w.chunks.push_back(std::move(c));
}

void ChunkWriter::Impl::fail(std::exception_ptr e)
{
    {
        std::lock_guard lock(mu);
        if (!error) {
            error = std::move(e);
        }
        aborting = true;
        queue.clear();
    }
    work_ready.notify_all();
    space_free.notify_all();
}

// Called with mu held, or once the workers are joined.
void ChunkWriter::Impl::rethrow_error()
{
    if (error) {
        std::rethrow_exception(error);
    }
}

ChunkWriter::ChunkWriter(const std::filesystem::path& dir, const WriterSettings& settings, const std::string& prefix)
    : impl_(std::make_unique<Impl>(dir, prefix, settings))
{
}

ChunkWriter::~ChunkWriter() = default;

std::vector<std::byte> ChunkWriter::Impl::spare_buffer(std::size_t size)
{
    std::vector<std::byte> data;
    {
        std::lock_guard lock(mu);
        if (!spare.empty()) {
            data = std::move(spare.back());
            spare.pop_back();
        }
    }
    // A spare keeps its size, so shrinking it clears nothing.
    data.resize(size);
    return data;
}

void ChunkWriter::Impl::enqueue(Run run)
{
    if (run.size > max_chunk_size) {
        throw Error("ChunkWriter: run of " + std::to_string(run.size) + " bytes exceeds the 1 MiB chunk limit");
    }
    std::unique_lock lock(mu);
    if (finished) {
        throw Error("ChunkWriter: a run added after finish");
    }
    // A run is always admitted into an empty queue, so no size can deadlock.
    space_free.wait(lock, [&] {
        return aborting || finished || pending_bytes == 0 || pending_bytes + run.size <= queue_limit;
    });
    rethrow_error();
    if (aborting || finished) {
        throw Error("ChunkWriter: a run added while finishing or destroyed");
    }
    pending_bytes += run.size;
    queue.push_back(std::move(run));
    lock.unlock();
    work_ready.notify_one();
}

void ChunkWriter::add(std::uint64_t vaddr, std::vector<std::byte> data)
{
    const std::size_t size = data.size();
    impl_->enqueue(Run{vaddr, size, std::move(data), {}});
}

void ChunkWriter::add_read(std::uint64_t vaddr, std::size_t size, std::function<void(std::span<std::byte>)> fill)
{
    impl_->enqueue(Run{vaddr, size, {}, std::move(fill)});
}

void ChunkWriter::add_unchanged(Chunk chunk)
{
    impl_->unchanged.push_back(std::move(chunk));
}

std::vector<Chunk> ChunkWriter::finish()
{
    Impl& m = *impl_;
    {
        std::lock_guard lock(m.mu);
        if (m.finished) {
            throw Error("ChunkWriter::finish called twice");
        }
        m.finished = true;
        m.draining = true;
    }
    m.work_ready.notify_all();
    for (std::thread& t : m.threads) {
        t.join();
    }
    m.threads.clear();
    m.rethrow_error();

    if (m.compression != Compression::none) {
        log_codecs(m.workers, m.compression);
    }
    std::vector<Chunk> all = std::move(m.unchanged);
    for (Worker& w : m.workers) {
        w.file->finish();
        all.insert(all.end(), std::make_move_iterator(w.chunks.begin()),
                   std::make_move_iterator(w.chunks.end()));
        w.chunks.clear();
    }
    std::sort(all.begin(), all.end(),
              [](const Chunk& a, const Chunk& b) { return a.vaddr < b.vaddr; });
    return all;
}

std::vector<std::string> ChunkWriter::files() const
{
    std::vector<std::string> names;
    names.reserve(impl_->workers.size());
    for (const Worker& w : impl_->workers) {
        names.push_back(w.name);
    }
    return names;
}

}  // namespace stasis::image
