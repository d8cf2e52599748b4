#pragma once
// One loop over independent items on several threads, for the data path's
// per-chunk and per-process work.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

namespace stasis {

// Calls body(i) for every i in [0, count) on up to threads threads, the
// caller's among them, handing indices out in order. Once body throws, no
// further index is handed out; when all threads are done, the exception of
// the lowest failing index is rethrown (so the first bad item is named
// whichever thread met it).
template <class Body>
void parallel_for(std::size_t count, unsigned threads, Body&& body)
{
    std::atomic<std::size_t> next{0};
    std::mutex failure_lock;
    std::size_t failed_at = std::numeric_limits<std::size_t>::max();
    std::exception_ptr failure;
    auto work = [&]() noexcept {
        for (std::size_t i = next++; i < count; i = next++) {
            try {
                body(i);
            } catch (...) {
                const std::lock_guard lock(failure_lock);
                if (i < failed_at) {
                    failed_at = i;
                    failure = std::current_exception();
                }
                next = count;
            }
        }
    };
    {
        std::vector<std::jthread> helpers;
        const auto wanted = std::min<std::size_t>(count, std::max(threads, 1U));
        for (std::size_t t = 1; t < wanted; ++t) {
            helpers.emplace_back(work);
        }
        work();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
}

}  // namespace stasis
