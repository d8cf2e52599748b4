#pragma once
// The fd kind of files that no longer have a name (deleted, O_TMPFILE,
// memfd): their bytes are saved in the image (unnamed_files/
// dump_unnamed_files.hpp) and the file is made again, without a name, at
// restore (unnamed_files/restore_unnamed_files.hpp). Mappings of such files
// are the region kinds unnamed_file and shared_unnamed_file.
#include "files/fd_kind.hpp"
#include "unnamed_files/unnamed_file_link.hpp"

#include <string>

namespace stasis {

const FdKindOps& unnamed_file_kind();

// Why a file without a name cannot be checkpointed, for a refusal ("is
// <why>"), or "" when it can. hugetlb: it lies on hugetlbfs.
std::string unsupported_unnamed_file(const std::string& link, bool hugetlb);

}  // namespace stasis
