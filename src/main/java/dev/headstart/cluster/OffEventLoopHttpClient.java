package dev.headstart.cluster;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.WebSocket;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The Kubernetes client's HTTP client with whole-body responses completed on a worker thread. The
 * Vert.x client completes them on its event loop, and fabric8 decodes a response (a LIST page of
 * hundreds of Nodes) and fills informer stores in the stages that follow; on the event loop that
 * blocks every other connection of the process for as long. Streaming (watches, logs) still
 * arrives on the event loop: one small object per event.
 */
final class OffEventLoopHttpClient implements HttpClient {

    private final HttpClient delegate;
    private final Executor decoding;

    OffEventLoopHttpClient(HttpClient delegate, Executor decoding) {
        this.delegate = delegate;
        this.decoding = decoding;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, Class<T> type) {
        return delegate.sendAsync(request, type).thenApplyAsync(Function.identity(), decoding);
    }

    @Override
    public CompletableFuture<HttpResponse<AsyncBody>> consumeBytes(HttpRequest request,
            AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        return delegate.consumeBytes(request, consumer);
    }

    @Override
    public DerivedClientBuilder newBuilder() {
        DerivedClientBuilder derived = delegate.newBuilder();
        return new DerivedClientBuilder() {
            @Override
            public HttpClient build() {
                return new OffEventLoopHttpClient(derived.build(), decoding);
            }

            @Override
            public DerivedClientBuilder addOrReplaceInterceptor(String name, Interceptor interceptor) {
                derived.addOrReplaceInterceptor(name, interceptor);
                return this;
            }

            @Override
            public DerivedClientBuilder authenticatorNone() {
                derived.authenticatorNone();
                return this;
            }

            @Override
            public DerivedClientBuilder tag(Object value) {
                derived.tag(value);
                return this;
            }
        };
    }

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        return delegate.newWebSocketBuilder();
    }

    @Override
    public HttpRequest.Builder newHttpRequestBuilder() {
        return delegate.newHttpRequestBuilder();
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
