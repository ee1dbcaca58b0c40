package dev.loki.proof;

import dev.loki.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Optional Ed25519 signatures over a proof's hash, with a key pair in {@code ~/.loki/keys/}
 * ({@code HOME} comes from the caller's environment, so tests use a temporary one). A proof is
 * signed when the key exists; {@code loki proof keygen} creates it.
 */
public final class ProofSigner {
    static final String ALGO = "Ed25519";
    private static final String PRIVATE = "proof-ed25519.key";
    private static final String PUBLIC = "proof-ed25519.pub";

    private final Optional<Path> keys;

    private ProofSigner(Optional<Path> keys) {
        this.keys = keys;
    }

    public static ProofSigner forEnv(Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return new ProofSigner(Optional.of(Path.of(home).resolve(".loki").resolve("keys")));
    }

    /** A signer with no key: seals a proof with its hash only. */
    static ProofSigner none() {
        return new ProofSigner(Optional.empty());
    }

    public Path privateKeyFile() {
        return dir().resolve(PRIVATE);
    }

    private Path dir() {
        return keys.orElseThrow(() -> new IllegalStateException("this signer has no key directory"));
    }

    public boolean hasKey() {
        return keys.isPresent() && Files.isRegularFile(privateKeyFile()) && Files.isRegularFile(dir().resolve(PUBLIC));
    }

    /** Creates the key pair (owner-only permissions); refuses to replace an existing one. */
    public String generate() throws IOException, GeneralSecurityException {
        if (hasKey()) {
            throw new IOException("a signing key already exists at " + privateKeyFile());
        }
        Files.createDirectories(dir());
        KeyPair kp = KeyPairGenerator.getInstance(ALGO).generateKeyPair();
        Path priv = privateKeyFile();
        AtomicFiles.writeString(priv, Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded()) + "\n");
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection is all there is
        }
        String pub = Base64.getEncoder().encodeToString(kp.getPublic().getEncoded());
        AtomicFiles.writeString(dir().resolve(PUBLIC), pub + "\n");
        return pub;
    }

    /** The signature of {@code hash} and the public key to check it with, if a key exists. */
    public Optional<String[]> sign(String hash) throws IOException, GeneralSecurityException {
        if (!hasKey()) {
            return Optional.empty();
        }
        byte[] der = Base64.getDecoder().decode(Files.readString(privateKeyFile(), StandardCharsets.UTF_8).strip());
        PrivateKey key = KeyFactory.getInstance(ALGO).generatePrivate(new PKCS8EncodedKeySpec(der));
        Signature s = Signature.getInstance(ALGO);
        s.initSign(key);
        s.update(hash.getBytes(StandardCharsets.UTF_8));
        String pub = Files.readString(dir().resolve(PUBLIC), StandardCharsets.UTF_8).strip();
        return Optional.of(new String[] {Base64.getEncoder().encodeToString(s.sign()), pub});
    }

    /** The local public key, to tell "signed by this machine's key" from "signed by some key". */
    public Optional<String> localPublicKey() {
        try {
            return hasKey() ? Optional.of(Files.readString(dir().resolve(PUBLIC), StandardCharsets.UTF_8).strip())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static boolean verify(String hash, String signatureB64, String publicKeyB64) {
        try {
            PublicKey key = KeyFactory.getInstance(ALGO)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKeyB64)));
            Signature s = Signature.getInstance(ALGO);
            s.initVerify(key);
            s.update(hash.getBytes(StandardCharsets.UTF_8));
            return s.verify(Base64.getDecoder().decode(signatureB64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
