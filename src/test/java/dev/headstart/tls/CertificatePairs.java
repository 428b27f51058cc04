package dev.headstart.tls;

import java.nio.file.Path;

/** Generated pairs read as the reloader reads them, for the TLS unit tests. */
final class CertificatePairs {

    private CertificatePairs() {
    }

    static CertificateFiles files(Path dir) throws Exception {
        return CertificateFiles.read(dir.resolve("tls.crt").toString(), dir.resolve("tls.key").toString());
    }
}
