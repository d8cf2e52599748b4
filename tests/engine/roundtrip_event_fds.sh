#!/usr/bin/env bash
# Run the event_fds workload (epoll over a timerfd and a signalfd, counting
# in an eventfd) uninterrupted, then twice more, each checkpointed at a random
# moment (it is nearly always waiting in epoll_wait), restored and compared.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
roundtrip event_fds 2
