package dev.headstart.tls;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The serving certificate and key exactly as read from their files, so what is fingerprinted is
 * what gets loaded. Parsing is Vert.x's PEM support (PKCS#1, PKCS#8 and EC keys, chains).
 */
record CertificateFiles(byte[] cert, byte[] key) {

    /** Reads both files; an {@link IOException} while either is missing or unreadable (mid-rotation). */
    static CertificateFiles read(String cert, String key) throws IOException {
        return new CertificateFiles(Files.readAllBytes(Path.of(cert)), Files.readAllBytes(Path.of(key)));
    }

    /** SHA-256 over certificate and key. */
    String fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(cert);
            digest.update(key);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses the pair; fails when it is not a PEM certificate chain and its matching key. */
    ServingCertificate parse(Vertx vertx) throws GeneralSecurityException {
        PemKeyCertOptions pem = new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
        try {
            KeyStore store = pem.loadKeyStore(vertx); // parsed once; the options keep it for the factory
            X509ExtendedKeyManager manager = null;
            for (KeyManager candidate : pem.getKeyManagerFactory(vertx).getKeyManagers()) {
                if (candidate instanceof X509ExtendedKeyManager x509) {
                    manager = x509;
                }
            }
            String alias = store.aliases().hasMoreElements() ? store.aliases().nextElement() : null;
            if (manager == null || alias == null || !(store.getCertificate(alias) instanceof X509Certificate leaf)) {
                throw new GeneralSecurityException("no X.509 certificate and key in the files");
            }
            if (!keyMatches(manager.getPrivateKey(alias), leaf.getPublicKey())) {
                throw new GeneralSecurityException("the key does not belong to the certificate");
            }
            return new ServingCertificate(store, manager, leaf);
        } catch (GeneralSecurityException e) {
            throw e;
        } catch (Exception e) {
            // Vert.x's own messages may quote file content; the class is enough to act on.
            throw new GeneralSecurityException("certificate or key cannot be parsed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Whether the private key signs what the certificate's public key verifies. Without this a
     * certificate paired with the wrong key would load and then fail every handshake.
     */
    private static boolean keyMatches(PrivateKey key, PublicKey certified) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null || !key.getAlgorithm().equals(certified.getAlgorithm())) {
            return algorithm == null; // an algorithm we cannot check is left to the handshake
        }
        byte[] probe = "headstart serving key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certified);
        verifier.update(probe);
        return verifier.verify(signature);
    }
}
