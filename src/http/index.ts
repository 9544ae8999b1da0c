// gonet/http: Go's net/http for Node.js (lands with the HTTP issues).
export {};
