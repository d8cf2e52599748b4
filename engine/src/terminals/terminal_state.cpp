#include "terminals/terminal_state.hpp"

#include "files/fd_state.hpp"

#include <nlohmann/json.hpp>

#include <utility>

namespace stasis {

TerminalState* terminal_of(FdState& fd)
{
    return const_cast<TerminalState*>(terminal_of(std::as_const(fd)));
}

const TerminalState* terminal_of(const FdState& fd)
{
    switch (fd.kind) {
    case FdKind::terminal:
        return &fd.detail_as<TerminalState>();
    case FdKind::pty_master:
        return &fd.detail_as<PtyMasterState>().slave;
    default:
        return nullptr;
    }
}

void to_json(nlohmann::json& j, const TerminalState& t)
{
    j = {{"terminal", t.id},
         {"type", t.type},
         {"device", t.device},
         {"session", t.session},
         {"foreground", t.foreground},
         {"termios",
          {{"iflag", t.iflag}, {"oflag", t.oflag}, {"cflag", t.cflag}, {"lflag", t.lflag}, {"line", t.line},
           {"cc", t.cc}, {"ispeed", t.ispeed}, {"ospeed", t.ospeed}}},
         {"winsize", {{"rows", t.rows}, {"cols", t.cols}, {"xpixel", t.xpixel}, {"ypixel", t.ypixel}}}};
}

void from_json(const nlohmann::json& j, TerminalState& t)
{
    j.at("terminal").get_to(t.id);
    j.at("type").get_to(t.type);
    j.at("device").get_to(t.device);
    j.at("session").get_to(t.session);
    j.at("foreground").get_to(t.foreground);
    const auto& tio = j.at("termios");
    tio.at("iflag").get_to(t.iflag);
    tio.at("oflag").get_to(t.oflag);
    tio.at("cflag").get_to(t.cflag);
    tio.at("lflag").get_to(t.lflag);
    tio.at("line").get_to(t.line);
    tio.at("cc").get_to(t.cc);
    tio.at("ispeed").get_to(t.ispeed);
    tio.at("ospeed").get_to(t.ospeed);
    const auto& ws = j.at("winsize");
    ws.at("rows").get_to(t.rows);
    ws.at("cols").get_to(t.cols);
    ws.at("xpixel").get_to(t.xpixel);
    ws.at("ypixel").get_to(t.ypixel);
}

}  // namespace stasis
