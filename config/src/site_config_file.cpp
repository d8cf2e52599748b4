// Reading /etc/stasis/stasis.yaml itself.
#include "config_message.hpp"
#include "stasis/site_config.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace stasis {

namespace {

ConfigError unreadable(const std::string& file, int err)
{
    return config_error({file}, std::string("cannot read: ") + std::strerror(err));
}

std::string read_text(const std::string& file)
{
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw unreadable(file, errno);
    }
    std::string text;
    char buffer[16384];
    for (;;) {
        auto n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            text.append(buffer, static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            int err = errno;
            ::close(fd);
            if (n < 0) {
                throw unreadable(file, err);
            }
            return text;
        }
    }
}

}  // namespace

SiteConfig load_site_config(const std::filesystem::path& file)
{
    return parse_site_config(read_text(file.string()), file.string());
}

}  // namespace stasis
