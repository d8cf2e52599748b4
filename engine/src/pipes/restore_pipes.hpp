#pragma once
// The restore half of pipes (pipes/pipe_kind.hpp): every pipe of the image
// recreated once, with its unread bytes, and the ends handed out as the
// saved descriptions ask.
#include <stasis/unique_fd.hpp>
#include "image/checkpoint.hpp"

#include <map>
#include <string>

namespace stasis {

class RecreatedPipes {
public:
    explicit RecreatedPipes(const Checkpoint& checkpoint);

    // A new description of saved's end of its pipe: the end itself for the
    // first description of that end, a fresh open of it for any further one.
    // An end whose other one lay outside the tree gets a warning line: that
    // one is closed once the restore has handed out the tree's ends.
    // Throws ImageError when the image lacks the pipe.
    UniqueFd end_for(const FdState& saved);

private:
    struct Pipe {
        UniqueFd read_end, write_end;
        bool read_used = false, write_used = false;
        bool outside = false;
    };
    static Pipe recreate(const PipeState& saved);

    std::map<std::string, Pipe> pipes_;  // by key
};

}  // namespace stasis
