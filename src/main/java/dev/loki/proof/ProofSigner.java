package dev.loki.proof;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loki.store.AtomicFiles;
import dev.loki.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Ed25519 signatures (the JDK's own EdDSA) for proofs, with a key pair in {@code ~/.loki/keys/}
 * ({@code HOME} comes from the caller's environment, so tests use a temporary one): the private
 * key owner-only (0600, created so, never widened), the public key beside it. A proof is signed
 * when the key exists; {@code loki proof keygen} creates it. Keys are named by their
 * fingerprint, {@code SHA256:} and the unpadded base64 of the sha256 of the public key's DER.
 */
public final class ProofSigner {
    static final String ALGO = "Ed25519";
    private static final String PRIVATE = "proof-ed25519.key";
    private static final String PUBLIC = "proof-ed25519.pub";
    private static final String OFFERED = ".proof-keygen-offered";
    /** The DER header of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
    private static final int SPKI_HEADER = 12;

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

    public Path publicKeyFile() {
        return dir().resolve(PUBLIC);
    }

    private Path dir() {
        return keys.orElseThrow(() -> new IllegalStateException("this signer has no key directory"));
    }

    public boolean hasKey() {
        return keys.isPresent() && Files.isRegularFile(privateKeyFile()) && Files.isRegularFile(publicKeyFile());
    }

    /**
     * The one-line hint {@code loki start} prints the first time it runs without a signing key
     * (then never again: a marker in {@code ~/.loki/keys/} remembers the offer). Empty when a key
     * exists or the hint was already shown. For the run loop to call and print; nothing else.
     */
    public static Optional<String> firstStartHint(Map<String, String> env) {
        ProofSigner s = forEnv(env);
        if (s.hasKey()) {
            return Optional.empty();
        }
        Path marker = s.dir().resolve(OFFERED);
        if (Files.exists(marker)) {
            return Optional.empty();
        }
        try {
            createPrivateDir(s.dir());
            Files.writeString(marker, "offered\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of("Tip: 'loki proof keygen' creates a signing key; every proof of run is then signed "
                + "(Ed25519) so others can check it with 'loki proof verify'.");
    }

    /** Creates the key pair (private key 0600 from its creation); refuses to replace an existing one. */
    public String generate() throws IOException, GeneralSecurityException {
        if (hasKey() || Files.exists(privateKeyFile())) {
            throw new IOException("a signing key already exists at " + privateKeyFile());
        }
        createPrivateDir(dir());
        KeyPair kp = KeyPairGenerator.getInstance(ALGO).generateKeyPair();
        Path priv = privateKeyFile();
        // a file of our own (two keygens at once do not share it), linked into place: a link never
        // replaces a key another keygen made a moment ago (a move would, silently)
        Path tmp = dir().resolve(PRIVATE + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        try {
            Files.writeString(tmp, Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded()) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            Files.createLink(priv, tmp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("a signing key already exists at " + priv);
        } finally {
            Files.deleteIfExists(tmp);
        }
        String pub = Base64.getEncoder().encodeToString(kp.getPublic().getEncoded());
        AtomicFiles.writeString(publicKeyFile(), pub + "\n");
        return pub;
    }

    private static void createPrivateDir(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // made meanwhile by another loki: fine
        }
    }

    private PrivateKey privateKey() throws IOException, GeneralSecurityException {
        byte[] der = Base64.getDecoder().decode(Files.readString(privateKeyFile(), StandardCharsets.UTF_8).strip());
        return KeyFactory.getInstance(ALGO).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** The signature of {@code hash} and the public key to check it with, if a key exists. */
    public Optional<String[]> sign(String hash) throws IOException, GeneralSecurityException {
        if (!hasKey()) {
            return Optional.empty();
        }
        byte[] sig = signBytes(hash.getBytes(StandardCharsets.UTF_8));
        String pub = Files.readString(publicKeyFile(), StandardCharsets.UTF_8).strip();
        return Optional.of(new String[] {Base64.getEncoder().encodeToString(sig), pub});
    }

    /** The Ed25519 signature of {@code message} (e.g. DSSE's PAE bytes); requires {@link #hasKey()}. */
    byte[] signBytes(byte[] message) throws IOException, GeneralSecurityException {
        Signature s = Signature.getInstance(ALGO);
        s.initSign(privateKey());
        s.update(message);
        return s.sign();
    }

    /** The local public key (base64 DER), to tell "signed by this machine's key" from "signed by some key". */
    public Optional<String> localPublicKey() {
        try {
            return hasKey() ? Optional.of(Files.readString(publicKeyFile(), StandardCharsets.UTF_8).strip())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The local public key, parsed. */
    public Optional<PublicKey> publicKey() {
        return localPublicKey().flatMap(ProofSigner::parsePublicKey);
    }

    public static boolean verify(String hash, String signatureB64, String publicKeyB64) {
        try {
            return verifyBytes(KeyFactory.getInstance(ALGO)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKeyB64))),
                    hash.getBytes(StandardCharsets.UTF_8), Base64.getDecoder().decode(signatureB64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** {@link #verify(String, String, String)} with the key already decoded. */
    static boolean verify(PublicKey key, String hash, String signatureB64) {
        try {
            return verifyBytes(key, hash.getBytes(StandardCharsets.UTF_8), Base64.getDecoder().decode(signatureB64));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether {@code text} is a key as {@link #verify(String, String, String)} reads it: no PEM armour, no spaces. */
    static boolean isBareBase64(String text) {
        return text.equals(unarmoured(text));
    }

    private static String unarmoured(String text) {
        return text.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    }

    static boolean verifyBytes(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGO);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A public key from PEM ({@code BEGIN PUBLIC KEY}) or bare base64 DER; empty when it is neither. */
    public static Optional<PublicKey> parsePublicKey(String text) {
        String b64 = unarmoured(text);
        try {
            return Optional.of(KeyFactory.getInstance(ALGO)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code SHA256:} and the unpadded base64 of the sha256 of the key's DER (as ssh names keys). */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The key as PEM, for {@code openssl} and other tools. */
    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** The key as a JWK Set (RFC 8037: kty OKP, crv Ed25519), its fingerprint as {@code kid}. */
    public static ObjectNode jwks(PublicKey key) {
        byte[] der = key.getEncoded();
        byte[] raw = Arrays.copyOfRange(der, SPKI_HEADER, der.length);
        ObjectNode set = Json.object();
        ObjectNode k = set.putArray("keys").addObject();
        k.put("kty", "OKP");
        k.put("crv", "Ed25519");
        k.put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        k.put("kid", fingerprint(key));
        k.put("use", "sig");
        k.put("alg", "EdDSA");
        return set;
    }
}
