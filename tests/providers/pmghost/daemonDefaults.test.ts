import { startDaemon, withStartDaemon } from "../../../providers/pmghost/daemonDefaults";

const DEBIAN = "# Declare here if we want to start fetchmail. 'yes' or 'no'\nSTART_DAEMON=no\n";

describe("withStartDaemon", () => {
  it("switches Debian's START_DAEMON=no to yes and back, touching nothing else", () => {
    const on = withStartDaemon(DEBIAN, true);
    expect(on).toBe(DEBIAN.replace("START_DAEMON=no", "START_DAEMON=yes"));
    expect(startDaemon(on)).toBe(true);
    expect(withStartDaemon(on, false)).toBe(DEBIAN);
  });

  it("appends the assignment when there is none, and keeps an export", () => {
    expect(withStartDaemon("# empty\n", true)).toBe("# empty\nSTART_DAEMON=yes\n");
    expect(withStartDaemon("  export START_DAEMON=no\n", true)).toBe("  export START_DAEMON=yes\n");
  });
});

describe("startDaemon", () => {
  it("reads the last assignment, as the init script's shell does", () => {
    expect(startDaemon("START_DAEMON=yes\nSTART_DAEMON=no\n")).toBe(false);
    expect(startDaemon('START_DAEMON="yes"\n')).toBe(true);
    expect(startDaemon("#START_DAEMON=yes\n")).toBe(false);
  });
});
