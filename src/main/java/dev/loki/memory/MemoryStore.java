package dev.loki.memory;

import dev.loki.Ids;
import dev.loki.LokiException;
import dev.loki.git.PrivateDir;
import dev.loki.git.RepoInfo;
import dev.loki.proof.Redactor;
import dev.loki.store.FileLocks;
import dev.loki.store.Json;
import dev.loki.store.LokiDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The memory of past runs: a Lucene index under {@code <git-dir>/loki/memory/index} (beside
 * the checkpoint store, out of reach of {@code rm -rf .loki}); outside git, under
 * {@code .loki/memory/index}. Every write redacts secrets first (there is no way to store
 * unredacted text), is serialised across processes by a lock, and ends in a Lucene commit, so
 * a process killed mid-write leaves the last committed store readable. Search is BM25 over
 * title, task and body, then boosted for recency and outcome.
 */
public final class MemoryStore implements AutoCloseable {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    private static final int MAX_QUERY_TERMS = 64;
    private static final int RESCORE_POOL = 50;
    private static final double HALF_LIFE_DAYS = 30;

    /** Lucene reports JVM tuning hints through java.util.logging on stderr: not for loki's users. */
    private static final java.util.logging.Logger LUCENE_LOG = quiet();

    private final Path dir;
    private final Directory directory;
    private final Analyzer analyzer = new EnglishAnalyzer();
    private final Redactor redactor;
    private final MemorySettings settings;
    private DirectoryReader reader;
    /** When the reader last looked for another process's commits; this process's writes mark it stale. */
    private long checkedAtNanos;
    private boolean stale;
    private static final long RECHECK_NANOS = 200_000_000L;

    /** A search result: the memory and its final score. */
    public record Hit(Memory memory, double score) {
    }

    MemoryStore(Path dir, Redactor redactor, MemorySettings settings) {
        this.dir = dir;
        this.redactor = redactor;
        this.settings = settings;
        try {
            Files.createDirectories(dir);
            this.directory = FSDirectory.open(dir);
        } catch (IOException e) {
            throw LokiException.failed("Cannot open the memory store at " + dir + ": " + e.getMessage());
        }
    }

    private static java.util.logging.Logger quiet() {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger("org.apache.lucene");
        l.setLevel(java.util.logging.Level.SEVERE);
        return l;
    }

    /** The project's store: next to the checkpoint store when the project is a git repository. */
    public static MemoryStore open(LokiDir loki, Map<String, String> env) {
        // env: the values of its secret-named variables are masked too, as in a proof
        return new MemoryStore(location(loki, env), new Redactor(loki.workTree().toString(), env.getOrDefault("HOME", ""),
                env), MemorySettings.fromEnv(env));
    }

    /** A store in a given directory (benchmarks, tests). */
    public static MemoryStore at(Path dir, Map<String, String> env) {
        return new MemoryStore(dir, new Redactor("/nonexistent-root", env.getOrDefault("HOME", ""), env),
                MemorySettings.fromEnv(env));
    }

    public static Path location(LokiDir loki, Map<String, String> env) {
        return RepoInfo.detect(loki.workTree(), env).map(r -> PrivateDir.memory(r).resolve("index"))
                .orElse(loki.resolve("memory").resolve("index"));
    }

    public Path directory() {
        return dir;
    }

    public MemorySettings settings() {
        return settings;
    }

    /** A fresh id: {@code ep-} or {@code pat-}, the UTC time, and 6 random hex digits. */
    public static String newId(String kind) {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return (Memory.EPISODE.equals(kind) ? "ep-" : "pat-") + STAMP.format(Instant.now()) + "-"
                + HexFormat.of().formatHex(b);
    }

    // ---- write ----------------------------------------------------------------------------

    /** Stores one memory (redacted; a blank id gets a fresh one) and returns what was stored. */
    public Memory add(Memory m) {
        return addAll(List.of(m)).get(0);
    }

    /** Stores several memories in one commit, then prunes the oldest beyond the cap. */
    public List<Memory> addAll(Collection<Memory> memories) {
        List<Memory> stored = new ArrayList<>();
        for (Memory m : memories) {
            if (!Memory.EPISODE.equals(m.kind()) && !Memory.PATTERN.equals(m.kind())) {
                throw LokiException.badInput("A memory is an 'episode' or a 'pattern', not '" + m.kind() + "'");
            }
            String id = m.id().isBlank() ? newId(m.kind()) : m.id();
            if (!Ids.isSafe(id)) {
                throw LokiException.badInput("Invalid memory id '" + id + "': use 1-128 letters, digits, '-' or '_'");
            }
            stored.add(redacted(m.withId(id)));
        }
        write(w -> {
            for (Memory m : stored) {
                w.updateDocument(new Term("id", m.id()), document(m));
            }
            pruneTo(w, settings.maxMemories());
            return null;
        });
        return stored;
    }

    /**
     * Removes a memory; its deleted document is merged away at once, so the text is gone from
     * the index files too, not only from search. False when there was no such memory.
     */
    public boolean forget(String id) {
        if (!Ids.isSafe(id) || get(id).isEmpty()) {
            return false;
        }
        write(w -> {
            w.deleteDocuments(new Term("id", id));
            w.forceMergeDeletes(true);
            return null;
        });
        return true;
    }

    /** Applies the size cap now; the number removed. */
    public int prune(int max) {
        return write(w -> pruneTo(w, max));
    }

    private int pruneTo(IndexWriter w, int max) throws IOException {
        try (DirectoryReader r = DirectoryReader.open(w)) {
            int excess = r.numDocs() - max;
            if (excess <= 0) {
                return 0;
            }
            TopDocs oldest = new IndexSearcher(r).search(new MatchAllDocsQuery(), excess,
                    new Sort(new SortField("created", SortField.Type.LONG)));
            for (ScoreDoc sd : oldest.scoreDocs) {
                w.deleteDocuments(new Term("id", r.storedFields().document(sd.doc).get("id")));
            }
            return oldest.scoreDocs.length;
        }
    }

    private Memory redacted(Memory m) {
        return new Memory(m.id(), m.kind(), red(m.title()), red(m.body()), red(m.task()), m.outcome(), m.runId(),
                m.createdAt(), m.files().stream().map(this::red).toList(), m.tags().stream().map(this::red).toList(),
                m.costUsd(), red(m.source()));
    }

    private String red(String s) {
        return s.isEmpty() ? s : redactor.redact(s).text();
    }

    private static Document document(Memory m) {
        Document d = new Document();
        d.add(new StringField("id", m.id(), Field.Store.YES));
        d.add(new StringField("kind", m.kind(), Field.Store.NO));
        d.add(new StringField("outcome", m.outcome(), Field.Store.NO));
        d.add(new StringField("run_id", m.runId(), Field.Store.NO));
        d.add(new TextField("title", m.title(), Field.Store.NO));
        d.add(new TextField("task", m.task(), Field.Store.NO));
        d.add(new TextField("body", m.body() + "\n" + String.join(" ", m.files()) + "\n" + String.join(" ", m.tags()),
                Field.Store.NO));
        d.add(new NumericDocValuesField("created", m.createdAt().toEpochMilli()));
        d.add(new NumericDocValuesField("boost", Math.round(outcomeBoost(m) * 1000)));
        d.add(new StoredField("json", Json.compact(m.toJson())));
        return d;
    }

    private interface WriteOp<T> {
        T apply(IndexWriter w) throws IOException;
    }

    private synchronized <T> T write(WriteOp<T> op) {
        try (FileLocks.Held lock = FileLocks.lock(dir.resolveSibling("index.write.lock"), LOCK_WAIT);
                IndexWriter w = new IndexWriter(directory, new IndexWriterConfig(analyzer)
                        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND))) {
            T result = op.apply(w);
            w.commit();
            stale = true;
            return result;
        } catch (IOException e) {
            throw LokiException.failed("Could not write the memory store at " + dir + ": " + e.getMessage());
        }
    }

    // ---- read -----------------------------------------------------------------------------

    /** The best matches for {@code query}: BM25, times a recency and an outcome boost. */
    public synchronized List<Hit> search(String query, int limit, Optional<String> kind) {
        List<String> terms = terms(query);
        if (terms.isEmpty() || limit < 1) {
            return List.of();
        }
        BooleanQuery.Builder text = new BooleanQuery.Builder();
        for (String t : terms) {
            text.add(new BoostQuery(new TermQuery(new Term("title", t)), 2f), BooleanClause.Occur.SHOULD);
            text.add(new BoostQuery(new TermQuery(new Term("task", t)), 1.5f), BooleanClause.Occur.SHOULD);
            text.add(new TermQuery(new Term("body", t)), BooleanClause.Occur.SHOULD);
        }
        Query q = text.build();
        if (kind.isPresent()) {
            q = new BooleanQuery.Builder().add(q, BooleanClause.Occur.MUST)
                    .add(new TermQuery(new Term("kind", kind.get())), BooleanClause.Occur.FILTER).build();
        }
        Optional<IndexSearcher> s = searcher();
        if (s.isEmpty()) {
            return List.of();
        }
        try {
            TopDocs top = s.get().search(q, Math.max(limit, RESCORE_POOL));
            long now = Instant.now().toEpochMilli();
            List<org.apache.lucene.index.LeafReaderContext> leaves = s.get().getIndexReader().leaves();
            List<ScoreDoc> rescored = new ArrayList<>();
            for (ScoreDoc sd : top.scoreDocs) {
                var leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(sd.doc, leaves));
                long created = value(leaf, "created", sd.doc - leaf.docBase, now);
                long boost = value(leaf, "boost", sd.doc - leaf.docBase, 1000);
                rescored.add(new ScoreDoc(sd.doc, (float) (sd.score * recency(created, now) * boost / 1000.0)));
            }
            rescored.sort((a, b) -> Float.compare(b.score, a.score));
            List<Hit> hits = new ArrayList<>();
            for (ScoreDoc sd : rescored.subList(0, Math.min(limit, rescored.size()))) {
                hits.add(new Hit(load(s.get(), sd.doc), sd.score));
            }
            return List.copyOf(hits);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 1.0 for a memory of today, falling towards 0.5 with a 30-day half-life. */
    static double recency(long createdMs, long nowMs) {
        double days = Math.max(0, (nowMs - createdMs) / 86_400_000.0);
        return 0.5 + 0.5 * Math.pow(0.5, days / HALF_LIFE_DAYS);
    }

    private static long value(org.apache.lucene.index.LeafReaderContext leaf, String field, int doc, long dflt)
            throws IOException {
        org.apache.lucene.index.NumericDocValues v = leaf.reader().getNumericDocValues(field);
        return v != null && v.advanceExact(doc) ? v.longValue() : dflt;
    }

    /** What worked (and stated lessons) rank above what failed or was stopped. */
    static double outcomeBoost(Memory m) {
        if (Memory.PATTERN.equals(m.kind())) {
            return 1.3;
        }
        return switch (m.outcome()) {
            case "success" -> 1.25;
            case "failure" -> 0.9;
            case "stopped" -> 0.85;
            default -> 1.0;
        };
    }

    public synchronized Optional<Memory> get(String id) {
        if (!Ids.isSafe(id)) {
            return Optional.empty();
        }
        Optional<IndexSearcher> s = searcher();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            TopDocs top = s.get().search(new TermQuery(new Term("id", id)), 1);
            return top.scoreDocs.length == 0 ? Optional.empty() : Optional.of(load(s.get(), top.scoreDocs[0].doc));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The newest memories first (optionally of one kind). */
    public synchronized List<Memory> recent(int limit, Optional<String> kind) {
        Optional<IndexSearcher> s = searcher();
        if (s.isEmpty() || limit < 1) {
            return List.of();
        }
        Query q = kind.<Query>map(k -> new TermQuery(new Term("kind", k))).orElse(new MatchAllDocsQuery());
        try {
            TopDocs top = s.get().search(q, limit, new Sort(new SortField("created", SortField.Type.LONG, true)));
            List<Memory> out = new ArrayList<>();
            for (ScoreDoc sd : top.scoreDocs) {
                out.add(load(s.get(), sd.doc));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized int count() {
        return searcher().map(s -> s.getIndexReader().numDocs()).orElse(0);
    }

    /** How many memories of one kind. */
    public synchronized int count(String kind) {
        Optional<IndexSearcher> s = searcher();
        try {
            return s.isEmpty() ? 0 : s.get().count(new TermQuery(new Term("kind", kind)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes the index takes on disk. */
    public long sizeBytes() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static Memory load(IndexSearcher s, int doc) throws IOException {
        return Memory.fromJson(Json.parse(s.storedFields().document(doc).get("json")));
    }

    /** The analysed, de-duplicated terms of a query (at most 64). */
    private List<String> terms(String query) {
        Set<String> out = new LinkedHashSet<>();
        String q = query == null ? "" : query.length() > 8000 ? query.substring(0, 8000) : query;
        try (TokenStream ts = analyzer.tokenStream("body", q)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken() && out.size() < MAX_QUERY_TERMS) {
                out.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            return List.of();
        }
        return List.copyOf(out);
    }

    /**
     * A searcher over the latest commit: this process's writes are seen at once, another
     * process's within 200 ms (checking the directory on every search costs more than the search).
     */
    private synchronized Optional<IndexSearcher> searcher() {
        try {
            if (reader == null) {
                if (!DirectoryReader.indexExists(directory)) {
                    return Optional.empty();
                }
                reader = DirectoryReader.open(directory);
                checkedAtNanos = System.nanoTime();
            } else if (stale || System.nanoTime() - checkedAtNanos > RECHECK_NANOS) {
                DirectoryReader newer = DirectoryReader.openIfChanged(reader);
                if (newer != null) {
                    reader.close();
                    reader = newer;
                }
                checkedAtNanos = System.nanoTime();
                stale = false;
            }
            return Optional.of(new IndexSearcher(reader));
        } catch (IOException e) {
            throw LokiException.failed("Cannot read the memory store at " + dir + ": " + e.getMessage()
                    + " (move it aside to start a new one)");
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (reader != null) {
                reader.close();
                reader = null;
            }
            directory.close();
        } catch (IOException e) {
            // closing a read-only view: nothing to lose
        }
    }
}
