package dev.headstart.testing;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Fresh CA and serving pairs from the project's own certs/generate.sh, for tests that rotate or parse them. */
public final class DevCertificates {

    private DevCertificates() {
    }

    /** Makes ca.crt, tls.crt and tls.key in {@code dir}, replacing what is there. */
    public static Path generate(Path dir) throws Exception {
        Process p = new ProcessBuilder("bash", "certs/generate.sh", dir.toString(), "--force")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("certs/generate.sh failed for " + dir);
        }
        return dir;
    }
}
