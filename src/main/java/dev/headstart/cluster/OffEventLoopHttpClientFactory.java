package dev.headstart.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.TlsVersion;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Wraps the HTTP client factory fabric8 would use so its clients are {@link OffEventLoopHttpClient}s. */
final class OffEventLoopHttpClientFactory implements HttpClient.Factory {

    private final HttpClient.Factory delegate;
    private final Executor decoding;

    OffEventLoopHttpClientFactory(HttpClient.Factory delegate, Executor decoding) {
        this.delegate = delegate;
        this.decoding = decoding;
    }

    @Override
    public HttpClient.Builder newBuilder(Config config) {
        return new Builder(delegate.newBuilder(config));
    }

    @Override
    public HttpClient.Builder newBuilder() {
        return new Builder(delegate.newBuilder());
    }

    @Override
    public int priority() {
        return delegate.priority();
    }

    private final class Builder implements HttpClient.Builder {
        private final HttpClient.Builder builder;

        Builder(HttpClient.Builder builder) {
            this.builder = builder;
        }

        @Override
        public HttpClient build() {
            return new OffEventLoopHttpClient(builder.build(), decoding);
        }

        @Override
        public HttpClient.Builder connectTimeout(long connectTimeout, TimeUnit unit) {
            builder.connectTimeout(connectTimeout, unit);
            return this;
        }

        @Override
        public HttpClient.Builder addOrReplaceInterceptor(String name, Interceptor interceptor) {
            builder.addOrReplaceInterceptor(name, interceptor);
            return this;
        }

        @Override
        public HttpClient.Builder authenticatorNone() {
            builder.authenticatorNone();
            return this;
        }

        @Override
        public HttpClient.Builder tag(Object value) {
            builder.tag(value);
            return this;
        }

        @Override
        public HttpClient.Builder sslContext(KeyManager[] keyManagers, TrustManager[] trustManagers) {
            builder.sslContext(keyManagers, trustManagers);
            return this;
        }

        @Override
        public HttpClient.Builder followAllRedirects() {
            builder.followAllRedirects();
            return this;
        }

        @Override
        public HttpClient.Builder proxyAddress(InetSocketAddress proxyAddress) {
            builder.proxyAddress(proxyAddress);
            return this;
        }

        @Override
        public HttpClient.Builder proxyAuthorization(String credentials) {
            builder.proxyAuthorization(credentials);
            return this;
        }

        @Override
        public HttpClient.Builder tlsVersions(TlsVersion... tlsVersions) {
            builder.tlsVersions(tlsVersions);
            return this;
        }

        @Override
        public HttpClient.Builder preferHttp11() {
            builder.preferHttp11();
            return this;
        }

        @Override
        public HttpClient.Builder proxyType(HttpClient.ProxyType type) {
            builder.proxyType(type);
            return this;
        }
    }
}
