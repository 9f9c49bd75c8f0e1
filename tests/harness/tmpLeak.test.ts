import * as fs from "fs";
import { startProviderHost } from "./providerHost";
test("leak", async () => {
    const h = await startProviderHost();
    fs.writeFileSync("/tmp/leakpid", String(h.pid));
});
