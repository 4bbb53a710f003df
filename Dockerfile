# Build: docker build -t recsys .   Run: docker run --rm recsys demo
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/recsys ./cmd/recsys

# distroless: no shell, no package manager; runs as an unprivileged user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/recsys /recsys
USER nonroot:nonroot
EXPOSE 9100
ENTRYPOINT ["/recsys"]
