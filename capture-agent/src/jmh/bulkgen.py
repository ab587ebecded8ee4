# Bulk TCP transfer on 127.0.0.1:5999 for the capture benchmark (BENCHMARKS.md, "Capture agent"):
# python3 bulkgen.py BYTES - the server reads and discards, the client sendall()s with TCP_MAXSEG 1448.
import socket, threading, sys
PORT=5999
srv=socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR,1); srv.bind(("127.0.0.1",PORT)); srv.listen(1)
def serve():
    c,_=srv.accept()
    while True:
        d=c.recv(1<<20)
        if not d: break
    c.close()
t=threading.Thread(target=serve); t.start()
cl=socket.socket(); cl.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1448); cl.connect(("127.0.0.1",PORT))
buf=b"x"*(1<<16); total=int(sys.argv[1]); sent=0
while sent<total:
    cl.sendall(buf); sent+=len(buf)
cl.close(); t.join()
