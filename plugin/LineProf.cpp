//===- LineProf.cpp - lineprof instrumentation pass ----------------------===//
//
// Inserts per-block hit counters and per-segment timestamps, and emits the
// tables (struct lp_module_desc, runtime/lineprof_abi.h) that map every
// counter to its function, file and line.
//
// The pass runs at the start of the pipeline, on the IR as clang produced
// it, at every -O level: the counters then follow the source's control flow
// and the optimizer preserves their meaning, so hits stay exact at -O2.
//
// Counters live in a per-thread, per-module buffer reached through one
// thread_local pointer; the first call on a thread asks the runtime for the
// buffer. The runtime is a shared library that the emitted start-up code
// loads with dlopen, so profiling needs no link flag. The pass must never
// change what the program computes: it only adds loads and stores to memory
// the program cannot see, and calls into the runtime on slow paths.
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Analysis/BlockFrequencyInfo.h"
#include "llvm/Analysis/ConstantFolding.h"
#include "llvm/Analysis/BranchProbabilityInfo.h"
#include "llvm/Analysis/CFG.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MD5.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/IR/Dominators.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/Local.h"
#include "llvm/Transforms/Utils/LoopSimplify.h"
#include "llvm/Transforms/Utils/SSAUpdater.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"
#if LLVM_VERSION_MAJOR >= 22
#include "llvm/Plugins/PassPlugin.h"
#else
#include "llvm/Passes/PassPlugin.h"
#endif
#if LLVM_VERSION_MAJOR >= 17
#include "llvm/TargetParser/Triple.h"
#else
#include "llvm/ADT/Triple.h"
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <fnmatch.h>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#define DEBUG_TYPE "lineprof"

using namespace llvm;

namespace {

// Must match runtime/lineprof_abi.h.
constexpr uint32_t AbiVersion = 7;
constexpr uint32_t ModTiming = 0x1, ModDebugInfo = 0x2;
constexpr uint32_t SegCall = 0x1, SegCallProbes = 0x2;
constexpr uint32_t FnNoReentry = 0x1;   // LP_FN_NO_REENTRY
constexpr uint32_t FnEdgeCounts = 0x2;  // LP_FN_EDGE_COUNTS
constexpr uint32_t FnSelfReentry = 0x4; // LP_FN_SELF_REENTRY
constexpr uint32_t EdgeEntry = 0xfffffffeu, EdgeExit = 0xffffffffu; // LP_EDGE_*
constexpr uint32_t EdgeFake = 0x1;      // LP_EDGE_FAKE
constexpr uint32_t NoCounter = 0xffffffffu; // LP_NO_COUNTER
constexpr uint64_t FnPrimitiveCalls = 0, FnInclusiveTicks = 1,
                   FnActiveFrame = 2, FnProbeTicks = 3, FnInclusiveProbes = 4,
                   FnWords = 5;
constexpr uint64_t GateCountdown = 0, GateWeight = 1, GateWords = 2;
// LP_SWITCH_LONG, LP_SWITCH_EVERY, LP_SWITCH_LAST, LP_SWITCH_WORDS
constexpr uint64_t SwitchLong = 1 << 12, SwitchEvery = 1 << 18,
                   SwitchLast = 0, SwitchWords = 2 + 2 * 64;
constexpr uint64_t SwitchBounded = 1ull << 63; // LP_SWITCH_BOUNDED
// Bounded code (boundedCost): at most this many instructions.
constexpr uint32_t BoundedLimit = 1024, Unbounded = ~0u;
// After the runtime's words, the arguments of __lineprof_switch_slow.
constexpr uint64_t SwitchArgNow = SwitchWords, SwitchArgD = SwitchWords + 1,
                   SwitchArgW = SwitchWords + 2, SwitchArgP = SwitchWords + 3,
                   SwitchLogWords = SwitchWords + 4;

constexpr uint32_t NoCallee = 0xffffffffu;

// A pointer to T: typed before LLVM 15's opaque pointers, `ptr` after
// (where the typed form is deprecated, and gone in later versions).
PointerType *pointerTo(Type *T) {
#if LLVM_VERSION_MAJOR >= 17
  return PointerType::getUnqual(T->getContext());
#else
  return PointerType::getUnqual(T);
#endif
}

// Intrinsic::getDeclaration became getOrInsertDeclaration in LLVM 20.
Function *intrinsic(Module &M, Intrinsic::ID ID, ArrayRef<Type *> Tys = {}) {
#if LLVM_VERSION_MAJOR >= 20
  return Intrinsic::getOrInsertDeclaration(&M, ID, Tys);
#else
  return Intrinsic::getDeclaration(&M, ID, Tys);
#endif
}

// StringRef::startswith became starts_with in LLVM 16 and left in 19.
bool startsWith(StringRef S, StringRef Prefix) {
  return S.take_front(Prefix.size()) == Prefix;
}

struct SegmentInfo {
  uint32_t Function, File, Line, Block, Flags;
  uint32_t Callee = NoCallee; // index into Callees for a call segment
};

struct FunctionInfo {
  std::string Name, LinkageName;
  uint32_t File, Line, EntryBlock, Flags = 0;
};

// An edge of a function counted on edges (lineprof_abi.h, lp_edge_desc):
// blocks are module block indices, or EdgeEntry / EdgeExit.
struct EdgeInfo {
  uint32_t Function, Src, Dst, Counter, Flags;
};

// Where the counter of an edge goes: at the top of its target, at the
// bottom of its source, at its source's two-way branch as the condition
// added, or in a block split into the edge. None: no counter can.
enum class EdgeSite : uint8_t { None, Top, Bottom, AtBranch, Split };

// Where the runtime is: LINEPROF_RUNTIME at compile time, else the
// liblineprof.so that sits beside this plugin.
std::string runtimePath() {
  if (const char *Env = std::getenv("LINEPROF_RUNTIME"))
    if (*Env)
      return Env;
  Dl_info Info;
  if (dladdr(reinterpret_cast<void *>(&runtimePath), &Info) && Info.dli_fname) {
    SmallString<256> Dir(Info.dli_fname);
    sys::fs::make_absolute(Dir);
    sys::path::remove_filename(Dir);
    sys::path::append(Dir, "liblineprof.so");
    return std::string(Dir.str());
  }
  return "liblineprof.so";
}

// What the instrumentation measures, chosen at compile time by
// LINEPROF_MODE: hits and sampled time (the default), hits and the time of
// every execution (exact: slow, for validation), or hits only (counts).
enum class TimingMode { Sampled, Exact, None };

// The sampled mode's schedule (emitGate): every execution of a gate up to
// ExactUpTo, then one in about MidPeriod up to MidUpTo, then one in about
// SamplePeriod up to SampleUpTo, then one in about HotPeriod. Hot code
// gets fewer timed executions but never few: a gate past SampleUpTo has
// been timed more than 1200 times, and gets one more every HotPeriod.
// The timed executions are what the time mode costs beyond the counts: on
// the SQLite benchmark, 256 exact executions per gate, then 1 in 16 up to
// 8192 and 1 in 256 up to 2^20, took 8.7 million timestamps, 30% of the
// profiled run; this schedule takes 2.5 million.
constexpr uint64_t ExactUpTo = 64, MidUpTo = 2048, SampleUpTo = 1 << 20;
constexpr uint64_t MidPeriod = 16, SamplePeriod = 1024, HotPeriod = 4096;

TimingMode timingMode() {
  const char *Mode = std::getenv("LINEPROF_MODE");
  if (!Mode || !*Mode || StringRef(Mode) == "time")
    return TimingMode::Sampled;
  if (StringRef(Mode) == "exact")
    return TimingMode::Exact;
  if (StringRef(Mode) == "counts")
    return TimingMode::None;
  errs() << "lineprof: warning: unknown LINEPROF_MODE '" << Mode
         << "' (expected 'time', 'exact' or 'counts'); using 'time'\n";
  return TimingMode::Sampled;
}

// The per-block timing state while a block is being instrumented. In the
// sampled mode the timestamps of a block execution are taken only when its
// hit count passes the gate; Timed is then true and Weight is the number of
// executions the sample stands for.
struct BlockClock {
  Value *Timed = nullptr;  // i1; null when every execution is timed
  Value *Weight = nullptr; // i64 multiplier of the sampled ticks
  Value *Ticks = nullptr;  // i64 timestamp of the open segment's start
};

// Which functions to instrument, chosen at compile time:
//   LINEPROF_SELECT=marked      only functions marked LINEPROF_PROFILE
//                               (lineprof.h: annotate("lineprof"))
//   LINEPROF_INCLUDE=P1:P2...   only functions whose name, symbol or file
//                               matches one of the fnmatch patterns
//   LINEPROF_EXCLUDE=P1:P2...   none that match
//   LINEPROF_CONFIG=FILE        the same as lines `select marked`,
//                               `include PATTERN`, `exclude PATTERN`
//                               (# starts a comment)
struct Selection {
  bool MarkedOnly = false;
  std::vector<std::string> Include, Exclude;

  static void split(const char *V, std::vector<std::string> &Out) {
    SmallVector<StringRef, 4> Parts;
    StringRef(V ? V : "").split(Parts, ':', -1, false);
    for (StringRef P : Parts)
      Out.push_back(P.trim().str());
  }

  static Selection fromEnvironment() {
    Selection S;
    if (const char *V = std::getenv("LINEPROF_SELECT"))
      S.MarkedOnly = StringRef(V) == "marked";
    split(std::getenv("LINEPROF_INCLUDE"), S.Include);
    split(std::getenv("LINEPROF_EXCLUDE"), S.Exclude);
    if (const char *Path = std::getenv("LINEPROF_CONFIG")) {
      auto Buf = MemoryBuffer::getFile(Path);
      if (!Buf) {
        errs() << "lineprof: warning: cannot read LINEPROF_CONFIG '" << Path
               << "': " << Buf.getError().message() << "\n";
        return S;
      }
      SmallVector<StringRef, 16> Lines;
      (*Buf)->getBuffer().split(Lines, '\n');
      for (StringRef Line : Lines) {
        Line = Line.split('#').first.trim();
        auto KV = Line.split(' ');
        StringRef Key = KV.first, Value = KV.second.trim();
        if (Line.empty())
          continue;
        if (Key == "select" && Value == "marked")
          S.MarkedOnly = true;
        else if (Key == "include" && !Value.empty())
          S.Include.push_back(Value.str());
        else if (Key == "exclude" && !Value.empty())
          S.Exclude.push_back(Value.str());
        else
          errs() << "lineprof: warning: " << Path << ": ignoring '" << Line
                 << "' (expected select marked, include P or exclude P)\n";
      }
    }
    return S;
  }

  static bool matches(const std::vector<std::string> &Patterns,
                      ArrayRef<std::string> Names) {
    for (const std::string &P : Patterns)
      for (const std::string &N : Names)
        if (fnmatch(P.c_str(), N.c_str(), 0) == 0)
          return true;
    return false;
  }

  bool wants(ArrayRef<std::string> Names, bool Marked) const {
    if (MarkedOnly && !Marked)
      return false;
    if (!Include.empty() && !matches(Include, Names))
      return false;
    return !matches(Exclude, Names);
  }
};

// Functions marked with __attribute__((annotate("lineprof"))).
static SmallPtrSet<const Function *, 8> markedFunctions(Module &M) {
  SmallPtrSet<const Function *, 8> Marked;
  GlobalVariable *A = M.getNamedGlobal("llvm.global.annotations");
  auto *Arr = A ? dyn_cast<ConstantArray>(A->getInitializer()) : nullptr;
  for (unsigned I = 0; Arr && I < Arr->getNumOperands(); ++I) {
    auto *E = dyn_cast<ConstantStruct>(Arr->getOperand(I));
    if (!E || E->getNumOperands() < 2)
      continue;
    auto *F = dyn_cast<Function>(E->getOperand(0)->stripPointerCasts());
    auto *G = dyn_cast<GlobalVariable>(E->getOperand(1)->stripPointerCasts());
    auto *Str = G && G->hasInitializer()
                    ? dyn_cast<ConstantDataArray>(G->getInitializer())
                    : nullptr;
    if (F && Str && Str->isCString() && Str->getAsCString() == "lineprof")
      Marked.insert(F);
  }
  return Marked;
}

class ModuleInstrumenter {
public:
  ModuleInstrumenter(Module &M, FunctionAnalysisManager &FAM)
      : M(M), FAM(FAM), Ctx(M.getContext()), I8(Type::getInt8Ty(Ctx)),
        I32(Type::getInt32Ty(Ctx)), I64(Type::getInt64Ty(Ctx)),
        PtrTy(pointerTo(I8)), Timing(timingMode()),
        CounterKind(Ctx.getMDKindID("lineprof.counter")) {
    MDBuilder MDB(Ctx);
    MDNode *Domain = MDB.createAnonymousAliasScopeDomain("lineprof");
    CounterScope = MDNode::get(
        Ctx, {MDB.createAnonymousAliasScope(Domain, "lineprof counters")});
    UnlikelyWeights = MDB.createBranchWeights(1, SamplePeriod);
  }

  bool run();

private:
  Module &M;
  FunctionAnalysisManager &FAM;
  LLVMContext &Ctx;
  Type *I8, *I32, *I64;
  PointerType *PtrTy;
  TimingMode Timing;
  bool HasDebugInfo = false;
  bool Unoptimized = false; // -O0: the functions are optnone
  MDNode *CounterScope = nullptr;   // alias scope list of the counters
  unsigned CounterKind;             // !lineprof.counter: our loads/stores
  MDNode *UnlikelyWeights = nullptr; // branch weights of the timed paths


  std::vector<SegmentInfo> Segments;
  std::vector<FunctionInfo> Functions;
  std::vector<std::string> Files, Checksums;
  StringMap<uint32_t> FileIndex;
  std::vector<std::string> Callees; // symbol names; "" for indirect calls
  StringMap<uint32_t> CalleeIndex;
  uint32_t calleeId(const CallBase &CB);
  uint32_t NumBlocks = 0;

  // Buffer layout (lineprof_abi.h): function words, hits, gates, ticks.
  // Function, block and gate totals are counted before instrumenting, so
  // every offset is a constant when it is emitted.
  uint64_t HitsBase = 0;  // words before the first hit counter
  uint64_t GatesBase = 0; // words before the first gate's state
  uint64_t TicksBase = 0; // words before the first segment's ticks
  uint32_t NumGates = 0, GatesUsed = 0;

  GlobalVariable *TlsBuffer = nullptr;
  GlobalVariable *ProbeCount = nullptr; // timestamps taken on this thread
  GlobalVariable *Desc = nullptr; // placeholder until the tables are built

  uint32_t fileId(StringRef Path, const DIFile *F);
  bool shouldInstrument(Function &F);
  void instrumentFunction(Function &F);
  void instrumentExecCalls(Function &F);
  Value *readClock(IRBuilder<> &B);
  Value *countProbe(IRBuilder<> &B);
  enum class ProbeKind { Start, Close, CloseBounded, Calibrate };
  Function *getOrCreateProbe(ProbeKind Kind);
  GlobalVariable *SwitchLog = nullptr; // the thread's involuntary switches
  Function *getOrCreateSwitchHelper();
  Function *createHelper(StringRef Name, unsigned NumArgs);
  Value *switchWord(IRBuilder<> &B, uint64_t Word);
  Value *callSwitch(IRBuilder<> &B, Value *Now, Value *D, Value *W, Value *P,
                    bool Bounded = false);
  Value *callSwitchIf(Value *Cond, Instruction *Before, Value *Now, Value *D,
                      Value *W, Value *P, Value *Otherwise,
                      bool Bounded = false);
  Function *getOrCreateGateHelper();
  CallingConv::ID probeCallingConv() const;
  bool probeReturnsFP() const;
  Type *probeReturnType();
  Value *callProbe(IRBuilder<> &B, Function *Probe, ArrayRef<Value *> Args,
                   const Twine &Name = "");
  uint64_t ProbeWordIndex = 0; // the current function's probe-cost word
  BlockClock emitGate(Value *Buf, Instruction *Before, Value *Hits);
  void markOurs(Instruction *I);
  Value *closeSegment(Instruction *Before, BlockClock &C, uint32_t SegIdx,
                      bool Bounded);
  Value *timedProbe(Instruction *Before, BlockClock &C, ProbeKind Kind,
                    uint64_t Word, Value *Start, Value *Fallback);
  Value *startClock(Instruction *Before, BlockClock &C);
  Value *probeCountAfter(Value *T);
  void reachThreadLocalsByCall(Function &F);
  Value *emitBufferLoad(Function &F, Instruction *&Last);
  Function *getOrCreateGetBuffer();
  bool isTimedCall(const CallBase &CB, const TargetLibraryInfo &TLI);
  enum class Reentry : uint8_t { Visiting, Never, Possible };
  DenseMap<const Function *, Reentry> ReentryOf;
  DenseMap<const Function *, uint32_t> CostOf; // boundedCost, memoized
  uint32_t boundedCost(const Instruction &I);
  uint32_t boundedCost(const Function &F);
  bool isBounded(const Function &F) { return boundedCost(F) <= BoundedLimit; }
  bool cannotReenter(const Function &F);
  bool callsCannotReenter(const Function &F, const Function *Self);
  SmallPtrSet<const Function *, 16> ReentersOnlyItself; // counts mode
  // Counts mode: counters on the edges a spanning tree leaves out.
  struct EdgePlan {
    BasicBlock *Src, *Dst; // nullptr: the function's entry / exit
    uint64_t Weight;       // estimated executions: hot edges are derived
    EdgeSite Site;         // where its counter would go; None: derived
    bool Fake;             // not control flow: see LP_EDGE_FAKE
    uint32_t Counter;      // index among the function's counters, or none
  };
  struct EdgeLayout {
    std::vector<EdgePlan> Plan;
    uint32_t Counters = 0;
  };
  // Planned before the buffer is laid out (a function may need more
  // counter slots than it has blocks); only functions counted on edges.
  DenseMap<const Function *, EdgeLayout> EdgeLayoutOf;
  std::vector<EdgeInfo> Edges;
  bool planEdgeCounters(Function &F, EdgeLayout &Out);
  bool canVersion(const Function &F) const;
  void versionRegions(Function &F, ArrayRef<BasicBlock *> Blocks,
                      DenseMap<BasicBlock *, Instruction *> &TopOf,
                      const DenseMap<BasicBlock *, BlockClock> &Gates,
                      function_ref<BasicBlock *(BasicBlock *)> GateOf,
                      DenseMap<BasicBlock *, BasicBlock *> &Untimed);
  void emitRuntimeGlue();
  void emitDescriptor();
  Constant *cstr(StringRef S, const Twine &Name);
  Function *getOrCreateBoot();
  Function *getOrCreateThreadEnter();
  Value *saysOff(IRBuilder<> &B, Value *Str);
  // Plain copies, run instead of the instrumented code when LINEPROF=0.
  bool canCopy(const Function &F) const;
  void copyPlain(ArrayRef<Function *> Work);
  void emitSwitch(Function &F, Function &Plain);
  MapVector<Function *, Function *> PlainCopy;
  GlobalVariable *getOrCreateHidden(StringRef Name, Type *Ty);
};

uint32_t ModuleInstrumenter::fileId(StringRef Path, const DIFile *F) {
  auto It = FileIndex.find(Path);
  if (It != FileIndex.end())
    return It->second;
  std::string Sum;
  if (F) {
    if (auto CS = F->getChecksum())
      if (CS->Kind == DIFile::CSK_MD5)
        Sum = ("md5:" + CS->Value.lower());
  }
  if (Sum.empty()) {
    // No checksum in the debug info (older DWARF): hash the file as it is
    // now, at compile time, which is what the reader compares against.
    if (auto Buf = MemoryBuffer::getFile(Path)) {
      MD5 Hash;
      Hash.update((*Buf)->getBuffer());
      MD5::MD5Result R;
      Hash.final(R);
      SmallString<32> Hex;
      MD5::stringifyResult(R, Hex);
      Sum = ("md5:" + Hex.str()).str();
    }
  }
  uint32_t Id = Files.size();
  Files.push_back(Path.str());
  Checksums.push_back(Sum);
  FileIndex[Path] = Id;
  return Id;
}

static std::string absolutePath(const DIFile *F) {
  SmallString<256> P;
  if (!F)
    return "";
  if (sys::path::is_absolute(F->getFilename())) {
    P = F->getFilename();
  } else {
    P = F->getDirectory();
    sys::path::append(P, F->getFilename());
  }
  sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return std::string(P.str());
}

bool ModuleInstrumenter::shouldInstrument(Function &F) {
  if (F.isDeclaration() || F.hasAvailableExternallyLinkage())
    return false;
  if (startsWith(F.getName(), "__lineprof"))
    return false;
  if (F.hasFnAttribute(Attribute::Naked))
    return false;
  if (F.hasPersonalityFn()) {
    // Funclet-based EH (Windows) has no place for our probes.
    for (BasicBlock &BB : F)
      if (BB.isEHPad() && !BB.isLandingPad())
        return false;
  }
  return true;
}

// Calls whose time belongs to a callee: anything except intrinsics, inline
// asm and functions of the C library, whose time the line keeps as its own.
bool ModuleInstrumenter::isTimedCall(const CallBase &CB,
                                     const TargetLibraryInfo &TLI) {
  if (isa<IntrinsicInst>(CB) || CB.isInlineAsm())
    return false;
  if (const Function *Callee = CB.getCalledFunction()) {
    if (Callee->isIntrinsic() || startsWith(Callee->getName(), "__lineprof"))
      return false;
    LibFunc LF;
    if (TLI.getLibFunc(*Callee, LF))
      return false;
  }
  return true;
}

// Whether a call of F can never start while another call of F is active on
// the same thread: every call F makes goes to an intrinsic, inline asm, a C
// library function that takes no callback, or a function of this module
// (one that the linker cannot replace) of which the same holds, with no
// cycle back. Such a function's primitive calls are its calls, and it
// needs no recursion bookkeeping: about thirteen instructions per call.
// Re-entry from a signal handler, or from an atexit handler of a function
// that calls exit(), is not seen.
bool ModuleInstrumenter::cannotReenter(const Function &F) {
  auto Found = ReentryOf.find(&F);
  if (Found != ReentryOf.end())
    return Found->second == Reentry::Never; // Visiting: a cycle
  ReentryOf[&F] = Reentry::Visiting;
  bool Never = callsCannotReenter(F, nullptr);
  ReentryOf[&F] = Never ? Reentry::Never : Reentry::Possible;
  return Never;
}

// Whether no call F makes can lead into a call of a function that may be
// active (cannotReenter), F's direct calls of Self aside.
bool ModuleInstrumenter::callsCannotReenter(const Function &F,
                                            const Function *Self) {
  static const char *const Callbacks[] = {
      "qsort", "qsort_r", "bsearch", "atexit", "__cxa_atexit", "on_exit",
      "pthread_once", "signal", "sigaction", "__cxa_thread_atexit"};
  if (F.isDeclaration() || F.isInterposable())
    return false;
  const TargetLibraryInfo &TLI =
      FAM.getResult<TargetLibraryAnalysis>(const_cast<Function &>(F));
  for (const Instruction &I : instructions(F)) {
    const auto *CB = dyn_cast<CallBase>(&I);
    if (!CB || isa<IntrinsicInst>(CB) || CB->isInlineAsm())
      continue;
    const Function *Callee =
        dyn_cast<Function>(CB->getCalledOperand()->stripPointerCasts());
    LibFunc LF;
    if (!Callee)
      return false;
    if (Callee->isIntrinsic())
      continue;
    if (Callee == Self) {
      // The runtime counts these calls by their call segments, which a
      // musttail call does not have.
      if (cast<CallBase>(I).isMustTailCall())
        return false;
      continue;
    }
    if (Callee->isDeclaration()) {
      if (!TLI.getLibFunc(*Callee, LF) ||
          is_contained(Callbacks, Callee->getName()))
        return false;
    } else if (!cannotReenter(*Callee)) {
      return false;
    }
  }
  return true;
}

// The callee of a call segment, by symbol name, so that the runtime can
// link call sites to the functions they call; "" when the call is indirect.
uint32_t ModuleInstrumenter::calleeId(const CallBase &CB) {
  StringRef Name;
  if (const Function *F =
          dyn_cast<Function>(CB.getCalledOperand()->stripPointerCasts()))
    Name = F->getName();
  auto It = CalleeIndex.find(Name);
  if (It != CalleeIndex.end())
    return It->second;
  uint32_t Id = Callees.size();
  Callees.push_back(Name.str());
  CalleeIndex[Name] = Id;
  return Id;
}

GlobalVariable *ModuleInstrumenter::getOrCreateHidden(StringRef Name,
                                                      Type *Ty) {
  if (auto *G = M.getNamedGlobal(Name))
    return G;
  auto *G = new GlobalVariable(M, Ty, false, GlobalValue::LinkOnceODRLinkage,
                               Constant::getNullValue(Ty), Name);
  G->setVisibility(GlobalValue::HiddenVisibility);
  G->setComdat(M.getOrInsertComdat(Name));
  return G;
}

Constant *ModuleInstrumenter::cstr(StringRef S, const Twine &Name) {
  Constant *Init = ConstantDataArray::getString(Ctx, S, true);
  auto *G = new GlobalVariable(M, Init->getType(), true,
                               GlobalValue::PrivateLinkage, Init, Name);
  G->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  G->setAlignment(Align(1));
  return ConstantExpr::getPointerCast(G, PtrTy);
}

// Whether the (non-null) value of LINEPROF says off: 0, no, false, off (by
// their first letters: 0, n, f, "of").
Value *ModuleInstrumenter::saysOff(IRBuilder<> &B, Value *Str) {
  Value *First = B.CreateLoad(I8, Str);
  Value *Second = B.CreateLoad(I8, B.CreateConstGEP1_32(I8, Str, 1));
  return B.CreateOr(
      B.CreateOr(B.CreateICmpEQ(First, B.getInt8('0')),
                 B.CreateICmpEQ(First, B.getInt8('n'))),
      B.CreateOr(B.CreateICmpEQ(First, B.getInt8('f')),
                 B.CreateAnd(B.CreateICmpEQ(First, B.getInt8('o')),
                             B.CreateICmpEQ(Second, B.getInt8('f')))));
}

// __lineprof_boot: loads the runtime once per linked image (the function and
// its state are link-once, so every module of an executable or a shared
// library shares one copy) and looks up the three entry points.
Function *ModuleInstrumenter::getOrCreateBoot() {
  if (Function *F = M.getFunction("__lineprof_boot"))
    return F;
  auto *FT = FunctionType::get(Type::getVoidTy(Ctx), false);
  Function *F = Function::Create(FT, GlobalValue::LinkOnceODRLinkage,
                                 "__lineprof_boot", M);
  F->setVisibility(GlobalValue::HiddenVisibility);
  F->setComdat(M.getOrInsertComdat(F->getName()));
  F->addFnAttr(Attribute::NoInline);
  F->addFnAttr(Attribute::NoUnwind);

  GlobalVariable *Booted = getOrCreateHidden("__lineprof_booted", I32);
  GlobalVariable *Fns[5] = {
      getOrCreateHidden("__lineprof_rt_register", PtrTy),
      getOrCreateHidden("__lineprof_rt_unregister", PtrTy),
      getOrCreateHidden("__lineprof_rt_thread_init", PtrTy),
      getOrCreateHidden("__lineprof_rt_before_exec", PtrTy),
      getOrCreateHidden("__lineprof_rt_switch", PtrTy)};
  const char *Syms[5] = {"__lineprof_register", "__lineprof_unregister",
                         "__lineprof_thread_init", "__lineprof_before_exec",
                         "__lineprof_switch"};

  FunctionCallee Getenv = M.getOrInsertFunction(
      "getenv", FunctionType::get(PtrTy, {PtrTy}, false));
  FunctionCallee Dlopen = M.getOrInsertFunction(
      "dlopen", FunctionType::get(PtrTy, {PtrTy, I32}, false));
  FunctionCallee Dlsym = M.getOrInsertFunction(
      "dlsym", FunctionType::get(PtrTy, {PtrTy, PtrTy}, false));
  FunctionCallee Dlerror =
      M.getOrInsertFunction("dlerror", FunctionType::get(PtrTy, {}, false));
  FunctionCallee Fprintf = M.getOrInsertFunction(
      "fprintf", FunctionType::get(I32, {PtrTy, PtrTy}, true));
  GlobalVariable *Stderr = M.getNamedGlobal("stderr");
  if (!Stderr)
    Stderr = new GlobalVariable(M, PtrTy, false, GlobalValue::ExternalLinkage,
                                nullptr, "stderr");

  // A static executable has no _DYNAMIC: dlopen there would load a second
  // libc whose exit handlers never run, so say so instead of losing the
  // profile silently.
  GlobalVariable *Dynamic = M.getNamedGlobal("_DYNAMIC");
  if (!Dynamic) {
    Dynamic = new GlobalVariable(M, I8, true, GlobalValue::ExternalWeakLinkage,
                                 nullptr, "_DYNAMIC");
    Dynamic->setVisibility(GlobalValue::HiddenVisibility);
  }

  BasicBlock *Entry = BasicBlock::Create(Ctx, "entry", F);
  BasicBlock *Check = BasicBlock::Create(Ctx, "check", F);
  BasicBlock *Static = BasicBlock::Create(Ctx, "static", F);
  BasicBlock *Go = BasicBlock::Create(Ctx, "go", F);
  BasicBlock *Fail = BasicBlock::Create(Ctx, "fail", F);
  BasicBlock *Found = BasicBlock::Create(Ctx, "found", F);
  BasicBlock *Done = BasicBlock::Create(Ctx, "done", F);

  IRBuilder<> B(Entry);
  Value *Was = B.CreateLoad(I32, Booted);
  B.CreateCondBr(B.CreateICmpNE(Was, B.getInt32(0)), Done, Check);

  B.SetInsertPoint(Check);
  B.CreateStore(B.getInt32(1), Booted);
  // LINEPROF=0 (or off) at run time: do not load the runtime at all, and
  // switch the image's functions to their plain copies (emitSwitch). Code
  // without copies counts into scratch memory that nobody reads.
  Value *Off = B.CreateCall(Getenv, {cstr("LINEPROF", "lp.off")});
  BasicBlock *CheckOff = BasicBlock::Create(Ctx, "checkoff", F);
  BasicBlock *SwitchOff = BasicBlock::Create(Ctx, "switchoff", F);
  BasicBlock *On = BasicBlock::Create(Ctx, "on", F);
  B.CreateCondBr(B.CreateIsNull(Off), On, CheckOff);
  B.SetInsertPoint(CheckOff);
  B.CreateCondBr(saysOff(B, Off), SwitchOff, On);
  B.SetInsertPoint(SwitchOff);
  B.CreateStore(B.getInt8(1), getOrCreateHidden("__lineprof_off", I8));
  B.CreateBr(Done);

  B.SetInsertPoint(On);
  B.CreateCondBr(B.CreateIsNull(ConstantExpr::getPointerCast(Dynamic, PtrTy)),
                 Static, Go);

  B.SetInsertPoint(Static);
  B.CreateCall(Fprintf,
               {B.CreateLoad(PtrTy, Stderr),
                cstr("lineprof: warning: a static executable cannot load the "
                     "runtime; this run is not profiled\n",
                     "lp.static")});
  B.CreateRetVoid();

  B.SetInsertPoint(Go);
  Value *Env = B.CreateCall(Getenv, {cstr("LINEPROF_RUNTIME", "lp.env")});
  Value *Path = B.CreateSelect(B.CreateIsNull(Env),
                               cstr(runtimePath(), "lp.rtpath"), Env);
  Value *Handle = B.CreateCall(Dlopen, {Path, B.getInt32(RTLD_NOW | RTLD_LOCAL)});
  B.CreateCondBr(B.CreateIsNull(Handle), Fail, Found);

  B.SetInsertPoint(Fail);
  Value *Err = B.CreateCall(Dlerror, {});
  Value *Stream = B.CreateLoad(PtrTy, Stderr);
  B.CreateCall(Fprintf,
               {Stream,
                cstr("lineprof: warning: cannot load the runtime: %s; this "
                     "run is not profiled (set LINEPROF_RUNTIME)\n",
                     "lp.fmt"),
                Err});
  B.CreateRetVoid();

  B.SetInsertPoint(Found);
  for (int I = 0; I < 5; ++I)
    B.CreateStore(B.CreateCall(Dlsym, {Handle, cstr(Syms[I], "lp.sym")}),
                  Fns[I]);
  B.CreateRetVoid();

  B.SetInsertPoint(Done);
  B.CreateRetVoid();
  return F;
}

// __lineprof_thread_enter(desc, slot, fallback): the slow path of a thread's
// first call into a module. Returns the buffer to count into; when the
// runtime is missing or has no buffer to give, a module-private scratch
// buffer nobody reads.
Function *ModuleInstrumenter::getOrCreateThreadEnter() {
  if (Function *F = M.getFunction("__lineprof_thread_enter"))
    return F;
  auto *FT = FunctionType::get(PtrTy, {PtrTy, PtrTy, PtrTy}, false);
  Function *F = Function::Create(FT, GlobalValue::LinkOnceODRLinkage,
                                 "__lineprof_thread_enter", M);
  F->setVisibility(GlobalValue::HiddenVisibility);
  F->setComdat(M.getOrInsertComdat(F->getName()));
  F->addFnAttr(Attribute::NoInline);
  F->addFnAttr(Attribute::NoUnwind);
  F->addFnAttr(Attribute::Cold);
  Function *Boot = getOrCreateBoot();
  GlobalVariable *Init = getOrCreateHidden("__lineprof_rt_thread_init", PtrTy);

  BasicBlock *Entry = BasicBlock::Create(Ctx, "entry", F);
  BasicBlock *Call = BasicBlock::Create(Ctx, "call", F);
  BasicBlock *Fallback = BasicBlock::Create(Ctx, "fallback", F);
  IRBuilder<> B(Entry);
  B.CreateCall(Boot, {});
  Value *Fn = B.CreateLoad(PtrTy, Init);
  B.CreateCondBr(B.CreateIsNull(Fn), Fallback, Call);

  auto Args = F->arg_begin();
  Value *DescArg = &*Args++, *SlotArg = &*Args++, *Scratch = &*Args++;
  B.SetInsertPoint(Call);
  auto *InitTy = FunctionType::get(PtrTy, {PtrTy, PtrTy}, false);
  Value *Typed = B.CreatePointerCast(Fn, pointerTo(InitTy));
  Value *Given = B.CreateCall(InitTy, Typed, {DescArg, SlotArg});
  BasicBlock *Got = BasicBlock::Create(Ctx, "got", F);
  B.CreateCondBr(B.CreateIsNull(Given), Fallback, Got);
  B.SetInsertPoint(Got);
  B.CreateRet(Given);

  B.SetInsertPoint(Fallback);
  Value *SlotTyped = B.CreatePointerCast(SlotArg, pointerTo(PtrTy));
  B.CreateStore(Scratch, SlotTyped);
  B.CreateRet(Scratch);
  return F;
}

// __lineprof_get_buffer(): this thread's buffer for this module, asking the
// runtime for one on the thread's first call. It is declared to read no
// memory and to be speculatable, like glibc's __errno_location, which is
// true in the sense that matters: on one thread it always returns the same
// pointer. So the optimizer merges the calls of inlined functions and
// hoists them out of loops; LineProfLowerPass inlines what remains.
Function *ModuleInstrumenter::getOrCreateGetBuffer() {
  if (Function *F = M.getFunction("__lineprof_get_buffer"))
    return F;
  Function *F = Function::Create(FunctionType::get(PtrTy, false),
                                 GlobalValue::InternalLinkage,
                                 "__lineprof_get_buffer", M);
  F->setDoesNotAccessMemory();
  F->setDoesNotThrow();
  F->addFnAttr(Attribute::WillReturn);
  F->addFnAttr(Attribute::Speculatable);
  F->addFnAttr(Attribute::NoInline);
  F->addRetAttr(Attribute::NonNull);
  BasicBlock *Entry = BasicBlock::Create(Ctx, "entry", F);
  BasicBlock *Slow = BasicBlock::Create(Ctx, "slow", F);
  BasicBlock *Done = BasicBlock::Create(Ctx, "done", F);
  IRBuilder<> B(Entry);
  LoadInst *Cur = B.CreateLoad(PtrTy, TlsBuffer, "lp.buf");
  B.CreateCondBr(B.CreateIsNull(Cur), Slow, Done,
                 MDBuilder(Ctx).createBranchWeights(1, 1 << 20));
  B.SetInsertPoint(Slow);
  // The module's tables are named in one out-of-line function only. Inlined
  // into every function, a reference to them made each function's node in
  // the LazyCallGraph (built at -O0 too, for the coroutine passes) walk
  // every constant of the tables: quadratic, 60% of an -O0 compile of
  // sqlite3.c.
  //
  // It returns nothing and keeps every register (preserve_most, on x86-64
  // and AArch64, like the probes), so the functions it is inlined into
  // need not keep their arguments in callee-saved registers, saved and
  // restored on every call, for a call made once per thread; the buffer is
  // then read again from the thread-local slot, which the call has filled
  // (no return value: LLVM 14's x86 backend restores RAX over it, issue
  // 48789). calls.c, counts mode: 13% fewer instructions, 515 -> 446 ms.
  bool KeepRegs = probeCallingConv() == CallingConv::PreserveMost;
  Function *Enter = Function::Create(
      FunctionType::get(KeepRegs ? Type::getVoidTy(Ctx) : PtrTy, false),
      GlobalValue::InternalLinkage, "__lineprof_enter", M);
  Enter->addFnAttr(Attribute::NoInline);
  Enter->addFnAttr(Attribute::NoUnwind);
  Enter->addFnAttr(Attribute::Cold);
  CallingConv::ID EnterCC = KeepRegs ? CallingConv::PreserveMost : CallingConv::C;
  Enter->setCallingConv(EnterCC);
  {
    IRBuilder<> EB(BasicBlock::Create(Ctx, "entry", Enter));
    Value *Given = EB.CreateCall(
        getOrCreateThreadEnter(),
        {ConstantExpr::getPointerCast(Desc, PtrTy),
         ConstantExpr::getPointerCast(TlsBuffer, PtrTy),
         ConstantExpr::getPointerCast(M.getNamedGlobal("__lineprof_scratch"),
                                      PtrTy)});
    if (KeepRegs)
      EB.CreateRetVoid();
    else
      EB.CreateRet(Given);
  }
  CallInst *Call = B.CreateCall(Enter, {});
  Call->setCallingConv(EnterCC);
  Value *Fresh =
      KeepRegs ? static_cast<Value *>(B.CreateLoad(PtrTy, TlsBuffer, "lp.buf.new"))
               : Call;
  B.CreateBr(Done);
  B.SetInsertPoint(Done);
  PHINode *Buf = B.CreatePHI(PtrTy, 2, "lp.buffer");
  Buf->addIncoming(Cur, Entry);
  Buf->addIncoming(Fresh, Slow);
  B.CreateRet(Buf);
  return F;
}

// The buffer, fetched after the entry block's allocas. Returns it as i64*;
// Last is the last instruction added.
Value *ModuleInstrumenter::emitBufferLoad(Function &F, Instruction *&Last) {
  BasicBlock::iterator IP = F.getEntryBlock().getFirstInsertionPt();
  while (isa<AllocaInst>(&*IP))
    ++IP;
  IRBuilder<> B(&*IP);
  CallInst *Call = B.CreateCall(getOrCreateGetBuffer(), {}, "lp.buffer");
  Last = Call;
  Value *Buf = B.CreatePointerCast(Call, pointerTo(I64));
  if (auto *I = dyn_cast<Instruction>(Buf))
    Last = I;
  return Buf;
}

// The gate: is this execution (of a function, or of a loop's iteration)
// timed, and how many executions does it stand for? The first 256 are all
// timed, then about one in 16 up to the 8192nd, then about one in 256: rare
// code is timed exactly and hot code cheaply.
//
// The fast path is a countdown: one decrement and one branch, kept in a
// register inside a loop. When it runs out, __lineprof_gate draws the
// length of the next interval and weights the timed execution by the length
// of the interval it ends. The weights of a gate then add up to its hits,
// and the estimate of the total is unbiased. The draw is out of line so
// that the optimizer sees nothing of it: inline, its arithmetic on the hit
// count turned into extra induction variables that pushed a tight loop's
// counters out of registers.
//
// Splits the block before Before: the countdown stays above, the block's
// own code (from Before on) goes to a new block that starts with the
// weight's phi.
BlockClock ModuleInstrumenter::emitGate(Value *Buf, Instruction *Before,
                                        Value *Hits) {
  uint64_t Word = GatesBase + GateWords * GatesUsed++;
  IRBuilder<> B(Before);
  Value *CountPtr = B.CreateConstInBoundsGEP1_64(I64, Buf, Word + GateCountdown);
  LoadInst *Count = B.CreateLoad(I64, CountPtr);
  markOurs(Count);
  Value *Left = B.CreateSub(Count, B.getInt64(1));
  markOurs(B.CreateStore(Left, CountPtr));
  BlockClock C;
  C.Timed = B.CreateICmpSLT(Left, B.getInt64(0), "lp.timed");
  Instruction *Then =
      SplitBlockAndInsertIfThen(C.Timed, Before, false, UnlikelyWeights);
  IRBuilder<> TB(Then);
  Value *Drawn = callProbe(TB, getOrCreateGateHelper(),
                           {TB.getInt64(Word + GateWeight), Hits});
  markOurs(TB.CreateStore(TB.CreateLShr(Drawn, 32), CountPtr));
  IRBuilder<> PB(&Before->getParent()->front());
  PHINode *W = PB.CreatePHI(I64, 2, "lp.weight");
  W->addIncoming(TB.CreateAnd(Drawn, TB.getInt64(0xffffffff)),
                 Then->getParent());
  W->addIncoming(B.getInt64(1), Then->getParent()->getSinglePredecessor());
  C.Weight = W;
  return C;
}

// At -O0 the fast instruction selector cannot address a thread-local
// variable: a block that reads the thread's timestamp count or writes its
// switch log went to SelectionDAG up to that access, and the time mode's
// timed copies have many such blocks. There the instrumented code takes the
// address from a call (`__lineprof_probes.addr()`), which it can select.
// The buffer's own slot, read once per call on the untimed path too, keeps
// its direct access.
void ModuleInstrumenter::reachThreadLocalsByCall(Function &F) {
  auto wanted = [&](Value *V) -> GlobalVariable * {
    if (V == ProbeCount || V == SwitchLog)
      return cast<GlobalVariable>(V);
    if (auto *CE = dyn_cast<ConstantExpr>(V))
      if (CE->getNumOperands() && (CE->getOperand(0) == ProbeCount ||
                                   CE->getOperand(0) == SwitchLog))
        return cast<GlobalVariable>(CE->getOperand(0));
    return nullptr;
  };
  SmallVector<Use *, 32> Uses;
  for (Instruction &I : instructions(F))
    for (Use &U : I.operands())
      if (wanted(U.get()))
        Uses.push_back(&U);
  for (Use *U : Uses) {
    auto *I = cast<Instruction>(U->getUser());
    Instruction *At = I;
    if (auto *Phi = dyn_cast<PHINode>(I))
      At = Phi->getIncomingBlock(*U)->getTerminator();
    GlobalVariable *GV = wanted(U->get());
    std::string Name = (GV->getName() + ".addr").str();
    Function *Addr = M.getFunction(Name);
    if (!Addr) {
      Addr = Function::Create(FunctionType::get(GV->getType(), false),
                              GlobalValue::InternalLinkage, Name, M);
      Addr->addFnAttr(Attribute::NoInline);
      Addr->setDoesNotThrow();
      Addr->addFnAttr(Attribute::WillReturn);
      Addr->setDoesNotAccessMemory();
      ReturnInst::Create(Ctx, GV, BasicBlock::Create(Ctx, "entry", Addr));
    }
    IRBuilder<> B(At);
    Value *New = B.CreateCall(Addr);
    if (auto *CE = dyn_cast<ConstantExpr>(U->get())) {
      Instruction *NI = CE->getAsInstruction();
      NI->insertBefore(At);
      NI->replaceUsesOfWith(GV, New);
      New = NI;
    }
    U->set(New);
  }
}

// Counts one more timestamp taken on this thread; returns the new count.
Value *ModuleInstrumenter::countProbe(IRBuilder<> &B) {
  Value *Count = B.CreateAdd(B.CreateLoad(I64, ProbeCount), B.getInt64(1));
  B.CreateStore(Count, ProbeCount);
  return Count;
}

Value *ModuleInstrumenter::readClock(IRBuilder<> &B) {
  Value *T;
  if (Triple(M.getTargetTriple()).getArch() == Triple::x86_64) {
    // lfence waits for the instructions before it (a load that misses the
    // cache, say) to finish, so their time lands on their own segment.
    auto *Ty = StructType::get(I32, I32);
    auto *Asm = InlineAsm::get(FunctionType::get(Ty, false), "lfence\n\trdtsc",
                               "={ax},={dx},~{dirflag},~{fpsr},~{flags}",
                               /*hasSideEffects=*/true);
    CallInst *CI = B.CreateCall(Asm, {});
    // The clock touches no memory the program can see: the optimizer may
    // keep counters in registers across it.
    CI->setOnlyAccessesInaccessibleMemory();
    CI->setDoesNotThrow();
    Value *Lo = B.CreateZExt(B.CreateExtractValue(CI, 0), I64);
    Value *Hi = B.CreateZExt(B.CreateExtractValue(CI, 1), I64);
    T = B.CreateOr(B.CreateShl(Hi, 32), Lo, "lp.t");
  } else {
    T = B.CreateCall(intrinsic(M, Intrinsic::readcyclecounter),
                     {}, "lp.t");
  }
  return T;
}

// Our own loads and stores get the counters' alias scope; the program's get
// !noalias against it. The buffer is memory the program never touches, so
// the optimizer may keep a loop's counters in registers.
void ModuleInstrumenter::markOurs(Instruction *I) {
  I->setMetadata(LLVMContext::MD_alias_scope, CounterScope);
  I->setMetadata(CounterKind, MDNode::get(Ctx, {}));
  // A thread's counters are its own; sanitizers (TSan above all, which
  // cannot see the runtime's lock when a buffer passes to a new thread)
  // must leave them alone.
  I->setMetadata(Ctx.getMDKindID("nosanitize"), MDNode::get(Ctx, {}));
}

// The calling convention of the out-of-line probes: on x86-64 and AArch64
// they preserve the caller's registers, so that a hot loop keeps its values
// in registers around a call that almost never runs, and a small function
// needs no callee-saved register (saved and restored on every call) for
// values live across its timed path.
// Not at -O0 (functions marked optnone): there the fast instruction
// selector gives up on a call with another convention and selects the
// whole block again with SelectionDAG, and an -O0 compile of sqlite3.c
// took 38.5 s instead of 29 s.
CallingConv::ID ModuleInstrumenter::probeCallingConv() const {
  Triple::ArchType Arch = Triple(M.getTargetTriple()).getArch();
  if (!Unoptimized && (Arch == Triple::x86_64 || Arch == Triple::aarch64))
    return CallingConv::PreserveMost;
  return CallingConv::C;
}

// Before LLVM 19 the x86 backend restores RAX over a preserve_most
// function's return value (llvm-project issue 48789). So the probes return
// their 64 bits as a double, in XMM0 (D0), which the convention leaves to
// the caller: a move in and a move out on the timed path. The same on every
// LLVM version, so that the code and its tests are one.
bool ModuleInstrumenter::probeReturnsFP() const {
  return probeCallingConv() == CallingConv::PreserveMost;
}

Type *ModuleInstrumenter::probeReturnType() {
  return probeReturnsFP() ? Type::getDoubleTy(Ctx) : I64;
}

// Calls a probe; returns its result as an i64.
Value *ModuleInstrumenter::callProbe(IRBuilder<> &B, Function *Probe,
                                     ArrayRef<Value *> Args, const Twine &Name) {
  CallInst *C = B.CreateCall(Probe, Args, Name);
  C->setCallingConv(probeCallingConv());
  return probeReturnsFP() ? B.CreateBitCast(C, I64, Name) : C;
}

// The call behind a probe's result (timedProbe's phi, callProbe's cast).
static CallInst *probeCallOf(Value *T) {
  if (auto *Phi = dyn_cast<PHINode>(T))
    T = Phi->getIncomingValue(0);
  if (auto *Cast = dyn_cast<BitCastInst>(T))
    T = Cast->getOperand(0);
  return cast<CallInst>(T);
}

// An out-of-line helper of the timed path: internal, cold, with the
// probes' convention, taking NumArgs i64s and returning an i64 as
// probeReturnType.
Function *ModuleInstrumenter::createHelper(StringRef Name, unsigned NumArgs) {
  SmallVector<Type *, 3> Args(NumArgs, I64);
  auto *FT = FunctionType::get(probeReturnType(), Args, false);
  Function *F = Function::Create(FT, GlobalValue::InternalLinkage, Name, M);
  F->setCallingConv(probeCallingConv());
  F->addFnAttr(Attribute::NoInline);
  F->addFnAttr(Attribute::Cold);
  F->setDoesNotThrow();
  F->addFnAttr(Attribute::WillReturn);
  return F;
}

// __lineprof_gate(word, hits) -> weight | countdown << 32: the slow path of a
// gate whose countdown ran out. buffer[word] holds the length of the
// interval that ends now, minus one: the weight of this timed execution.
// Draws the next interval from the schedule (1 up to ExactUpTo hits, then
// from P/2 to 3P/2 - 1 for the period P of the hit count's range), by a
// multiplicative hash of the hit count, so that no
// periodic pattern of the program lines up with the samples; stores it and
// returns it minus one as the new countdown. One i64, not a pair: the
// preserve_most convention keeps RDX, where the pair's second half would
// come back (and the i64 comes back as a double: probeReturnsFP).
Function *ModuleInstrumenter::getOrCreateGateHelper() {
  if (Function *F = M.getFunction("__lineprof_gate"))
    return F;
  Function *F = createHelper("__lineprof_gate", 2);
  F->setOnlyAccessesInaccessibleMemory();
  auto Args = F->arg_begin();
  Value *Word = &*Args++, *Hits = &*Args++;
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", F));
  Value *Buf = B.CreatePointerCast(B.CreateLoad(PtrTy, TlsBuffer),
                                   pointerTo(I64));
  Value *P = B.CreateInBoundsGEP(I64, Buf, Word);
  LoadInst *Last = B.CreateLoad(I64, P);
  markOurs(Last);
  Value *Hash = B.CreateLShr(
      B.CreateMul(Hits, B.getInt64(0x9E3779B97F4A7C15ull)), 52);
  auto interval = [&](uint64_t Period) { // minus one
    return B.CreateAdd(B.getInt64(Period / 2 - 1),
                       B.CreateAnd(Hash, B.getInt64(Period - 1)));
  };
  static_assert(HotPeriod <= 4096, "the hash has 12 bits");
  Value *Next = B.CreateSelect(
      B.CreateICmpULT(Hits, B.getInt64(ExactUpTo)), B.getInt64(0),
      B.CreateSelect(
          B.CreateICmpULT(Hits, B.getInt64(MidUpTo)), interval(MidPeriod),
          B.CreateSelect(B.CreateICmpULT(Hits, B.getInt64(SampleUpTo)),
                         interval(SamplePeriod), interval(HotPeriod))));
  markOurs(B.CreateStore(Next, P));
  Value *Ret = B.CreateOr(B.CreateAdd(Last, B.getInt64(1)),
                          B.CreateShl(Next, 32));
  B.CreateRet(B.CreateBitCast(Ret, probeReturnType()));
  return F;
}

// __lineprof_switch_slow(): asks the runtime's __lineprof_switch
// (lineprof_abi.h) about the thread's involuntary context switches, with
// this image's log. Its arguments are in the log's last words (now, d, w,
// p): a probe with the preserve_most convention that passed them in
// registers would have to save those registers on every call, slow path
// or not. d = 0 notes the count at now, and returns a fresh timestamp.
// Else the weight of the sample [now - d, now] is 1 if the thread was
// switched out in it, w if not (or without the runtime's function); with
// p, the address of a segment's ticks, it adds d times that weight there
// and returns a fresh timestamp, else it returns the weight.
Function *ModuleInstrumenter::getOrCreateSwitchHelper() {
  if (Function *F = M.getFunction("__lineprof_switch_slow"))
    return F;
  Function *F = createHelper("__lineprof_switch_slow", 0);
  BasicBlock *Entry = BasicBlock::Create(Ctx, "entry", F);
  BasicBlock *Ask = BasicBlock::Create(Ctx, "ask", F);
  BasicBlock *Asked = BasicBlock::Create(Ctx, "asked", F);
  BasicBlock *Weigh = BasicBlock::Create(Ctx, "weigh", F);
  BasicBlock *Add = BasicBlock::Create(Ctx, "add", F);
  BasicBlock *Resume = BasicBlock::Create(Ctx, "resume", F);
  IRBuilder<> B(Entry);
  auto arg = [&](uint64_t Word) { return B.CreateLoad(I64, switchWord(B, Word)); };
  Value *Now = arg(SwitchArgNow), *D = arg(SwitchArgD), *W = arg(SwitchArgW),
        *P = arg(SwitchArgP);
  Value *Fn = B.CreateLoad(PtrTy, getOrCreateHidden("__lineprof_rt_switch", PtrTy));
  // The runtime gets W as it is; the weight is W without the flag of
  // bounded code.
  Value *Raw = W;
  W = B.CreateAnd(W, B.getInt64(~SwitchBounded));
  // A close sends every long sample; one of weight 1 needs no asking.
  Value *Unweighted = B.CreateAnd(B.CreateICmpNE(D, B.getInt64(0)),
                                  B.CreateICmpULE(W, B.getInt64(1)));
  B.CreateCondBr(B.CreateOr(B.CreateIsNull(Fn), Unweighted), Asked, Ask);
  B.SetInsertPoint(Ask);
  auto *SwitchTy = FunctionType::get(I64, {PtrTy, I64, I64, I64}, false);
  Value *Log = B.CreatePointerCast(SwitchLog, PtrTy);
  Value *R = B.CreateCall(SwitchTy, B.CreatePointerCast(Fn, pointerTo(SwitchTy)),
                          {Log, Now, D, Raw});
  B.CreateBr(Asked);
  B.SetInsertPoint(Asked);
  PHINode *Weight = B.CreatePHI(I64, 2, "lp.w");
  Weight->addIncoming(R, Ask);
  Weight->addIncoming(W, Entry);
  Value *Note = B.CreateICmpEQ(D, B.getInt64(0));
  Value *Segment = B.CreateICmpNE(P, B.getInt64(0));
  B.CreateCondBr(B.CreateOr(Note, Segment), Add, Weigh);
  B.SetInsertPoint(Weigh);
  B.CreateRet(B.CreateBitCast(Weight, probeReturnType()));
  B.SetInsertPoint(Add);
  BasicBlock *AddTo = BasicBlock::Create(Ctx, "addto", F);
  B.CreateCondBr(Segment, AddTo, Resume);
  B.SetInsertPoint(AddTo);
  Value *Ticks = B.CreateIntToPtr(P, pointerTo(I64));
  LoadInst *Old = B.CreateLoad(I64, Ticks);
  markOurs(Old);
  markOurs(B.CreateStore(B.CreateAdd(Old, B.CreateMul(D, Weight)), Ticks));
  B.CreateBr(Resume);
  B.SetInsertPoint(Resume);
  B.CreateRet(B.CreateBitCast(readClock(B), probeReturnType()));
  return F;
}

// The address of a word of this thread's switch log.
Value *ModuleInstrumenter::switchWord(IRBuilder<> &B, uint64_t Word) {
  return B.CreateConstInBoundsGEP2_64(SwitchLog->getValueType(), SwitchLog, 0,
                                      Word);
}

// Stores the arguments of __lineprof_switch_slow and calls it; returns its
// result as an i64. Bounded: the sample is of bounded code (boundedCost),
// which the weight's flag tells the runtime.
Value *ModuleInstrumenter::callSwitch(IRBuilder<> &B, Value *Now, Value *D,
                                      Value *W, Value *P, bool Bounded) {
  if (Bounded)
    W = B.CreateOr(W, B.getInt64(SwitchBounded));
  markOurs(B.CreateStore(Now, switchWord(B, SwitchArgNow)));
  markOurs(B.CreateStore(D, switchWord(B, SwitchArgD)));
  markOurs(B.CreateStore(W, switchWord(B, SwitchArgW)));
  markOurs(B.CreateStore(P, switchWord(B, SwitchArgP)));
  return callProbe(B, getOrCreateSwitchHelper(), {}, "lp.asked");
}

// `Cond ? callSwitch(...) : Otherwise`, before Before (which ends up at the
// top of the block after the branch, below the result's phi).
Value *ModuleInstrumenter::callSwitchIf(Value *Cond, Instruction *Before,
                                        Value *Now, Value *D, Value *W,
                                        Value *P, Value *Otherwise,
                                        bool Bounded) {
  Instruction *Then =
      SplitBlockAndInsertIfThen(Cond, Before, false, UnlikelyWeights);
  IRBuilder<> TB(Then);
  Value *Asked = callSwitch(TB, Now, D, W, P, Bounded);
  IRBuilder<> B(Before);
  PHINode *R = B.CreatePHI(I64, 2, "lp.asked");
  R->addIncoming(Asked, Then->getParent());
  R->addIncoming(Otherwise, Then->getParent()->getSinglePredecessor());
  return R;
}

// The timed path, out of line: it runs rarely, and inlined it made the code
// several times larger (and its compilation as many times slower).
//   __lineprof_close(word, start, weight): now = clock;
//       buffer[word] += (now - start) * weight; returns now
//   __lineprof_start(): returns now (a block's first timestamp, followed
//       at once by a close of the function's probe word)
// To the optimizer they may read and write any memory, so that the
// program's loads and stores stay between the timestamps of their segment.
// Declared to touch only memory the program cannot see, they let
// SimplifyCFG sink a timed iteration's code below all of its probes, into
// the block it shares with the untimed path: every segment then measured
// an empty interval, and a cache miss landed on no line at all
// (tests/timing/memory-bound.c). Our own counters still stay in registers
// around them: the late pass knows what the probes touch (callFree).
// The cost of a probe boundary, measured by a start and an immediate
// close, is a few dozen ticks. One measured across a preemption, a signal
// handler or a debugger's stop is not a cost: weighted by up to 6144 and
// averaged into the function's probe cost, it once inflated it enough to
// compensate a whole run's times to zero (fib under load). Such samples,
// over CalibrationCap ticks (1 to 2 us of TSC), are dropped.
constexpr uint64_t CalibrationCap = 4096;

Function *ModuleInstrumenter::getOrCreateProbe(ProbeKind Kind) {
  StringRef Name = Kind == ProbeKind::Close          ? "__lineprof_close"
                   : Kind == ProbeKind::CloseBounded ? "__lineprof_close_bounded"
                   : Kind == ProbeKind::Calibrate    ? "__lineprof_calibrate"
                                                     : "__lineprof_start";
  if (Function *F = M.getFunction(Name))
    return F;
  bool Close = Kind != ProbeKind::Start;
  Function *F = createHelper(Name, Close ? 3 : 0);
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", F));
  Value *Buf = Close ? B.CreatePointerCast(B.CreateLoad(PtrTy, TlsBuffer),
                                           pointerTo(I64))
                     : nullptr;
  Value *Now = readClock(B);
  countProbe(B);
  // What the probe returns: the timestamp that starts the next segment.
  ReturnInst *Ret = B.CreateRet(UndefValue::get(probeReturnType()));
  B.SetInsertPoint(Ret);
  Value *Resume = Now;
  if (!Close) {
    // Every SwitchEvery ticks or so, a note of the thread's involuntary
    // switches, for the long samples that start after it; a fresh
    // timestamp after it keeps its cost out of the segment that follows.
    Value *Last = B.CreateLoad(I64, switchWord(B, SwitchLast));
    Value *Zero = B.getInt64(0);
    Resume = callSwitchIf(
        B.CreateICmpUGT(B.CreateSub(Now, Last), B.getInt64(SwitchEvery)), Ret,
        Now, Zero, Zero, Zero, Now);
    B.SetInsertPoint(Ret);
  } else {
    auto Args = F->arg_begin();
    Value *Word = &*Args++, *Start = &*Args++, *Weight = &*Args++;
    Value *D = B.CreateSub(Now, Start);
    Value *P = B.CreateInBoundsGEP(I64, Buf, Word);
    if (Kind == ProbeKind::Calibrate) {
      D = B.CreateSelect(B.CreateICmpUGT(D, B.getInt64(CalibrationCap)),
                         B.getInt64(0), D);
    } else {
      // A long sample goes to the helper, which asks about switches when
      // its weight is over 1 and adds it; the fresh timestamp it returns
      // keeps the asking out of the next segment. (One test on the fast
      // path: the weight's is in the helper.) A segment of bounded code
      // says so with the weight (runtime/switches.c).
      Instruction *Then =
          SplitBlockAndInsertIfThen(B.CreateICmpUGT(D, B.getInt64(SwitchLong)),
                                    Ret, false, UnlikelyWeights);
      IRBuilder<> TB(Then);
      Value *After = callSwitch(TB, Now, D, Weight, TB.CreatePtrToInt(P, I64),
                                Kind == ProbeKind::CloseBounded);
      TB.CreateRet(TB.CreateBitCast(After, probeReturnType()));
      Then->eraseFromParent();
      B.SetInsertPoint(Ret);
    }
    LoadInst *Old = B.CreateLoad(I64, P);
    markOurs(Old);
    markOurs(B.CreateStore(B.CreateAdd(Old, B.CreateMul(D, Weight)), P));
  }
  Ret->setOperand(0, B.CreateBitCast(Resume, probeReturnType()));
  return F;
}

// Emits `if (Timed) T = close(Word, Start, Weight);` before Before (with
// Start a fresh timestamp for ProbeKind::Start) and returns the timestamp
// that opens the next segment: the probe's, or Fallback when the execution
// is not timed. In the exact mode (no gate) the probes are called
// unconditionally.
Value *ModuleInstrumenter::timedProbe(Instruction *Before, BlockClock &C,
                                      ProbeKind Kind, uint64_t Word,
                                      Value *Start, Value *Fallback) {
  IRBuilder<> B(Before);
  Instruction *Then = nullptr;
  if (C.Timed) {
    Then = SplitBlockAndInsertIfThen(C.Timed, Before, false, UnlikelyWeights);
    B.SetInsertPoint(Then);
  }
  if (Kind == ProbeKind::Start) {
    // A timestamp, closed at once on Word: the empty segment between them
    // costs what every segment boundary costs (a return, a call and a
    // timestamp).
    Start = callProbe(B, getOrCreateProbe(ProbeKind::Start), {}, "lp.t");
  }
  Value *Now = callProbe(B,
                         getOrCreateProbe(Kind == ProbeKind::Start
                                              ? ProbeKind::Calibrate
                                              : Kind),
                         {B.getInt64(Word), Start,
                          C.Weight ? C.Weight : B.getInt64(1)},
                         "lp.t");
  if (!Then)
    return Now;
  B.SetInsertPoint(Before);
  PHINode *Phi = B.CreatePHI(I64, 2, "lp.t");
  Phi->addIncoming(Now, Then->getParent());
  Phi->addIncoming(Fallback, Then->getParent()->getSinglePredecessor());
  return Phi;
}

// Closes the open segment: its ticks get (now - start) * weight. Bounded:
// the segment is bounded code (boundedCost).
Value *ModuleInstrumenter::closeSegment(Instruction *Before, BlockClock &C,
                                        uint32_t SegIdx, bool Bounded) {
  return timedProbe(Before, C,
                    Bounded ? ProbeKind::CloseBounded : ProbeKind::Close,
                    TicksBase + SegIdx, C.Ticks, C.Ticks);
}

// The thread's timestamp count just after the probe that returned T, read
// on the timed path only (0 on the other).
Value *ModuleInstrumenter::probeCountAfter(Value *T) {
  auto *Phi = dyn_cast<PHINode>(T);
  if (!Phi) { // exact mode: every execution is timed
    IRBuilder<> B(cast<Instruction>(T)->getNextNode());
    return B.CreateLoad(I64, ProbeCount, "lp.probes");
  }
  BasicBlock *Then = Phi->getIncomingBlock(0);
  IRBuilder<> TB(Then->getTerminator());
  Value *Count = TB.CreateLoad(I64, ProbeCount);
  IRBuilder<> PB(&*Phi->getParent()->getFirstInsertionPt());
  PHINode *P = PB.CreatePHI(I64, 2, "lp.probes");
  P->addIncoming(Count, Then);
  P->addIncoming(PB.getInt64(0), Phi->getIncomingBlock(1));
  return P;
}

// A fresh start after setjmp or at the top of a block. The start is taken
// twice, by two probe calls in a row: the two timestamps bound an empty
// segment, whose ticks, summed per function (the function's probe word),
// measure what one segment boundary (a return, a call and a timestamp)
// costs in this very code; the runtime subtracts that from every segment
// of the function.
Value *ModuleInstrumenter::startClock(Instruction *Before, BlockClock &C) {
  IRBuilder<> B(Before);
  return timedProbe(Before, C, ProbeKind::Start, ProbeWordIndex, nullptr,
                    B.getInt64(0));
}

// Whether the edge Src -> Dst is counted at Src's two-way branch, as the
// condition added: where Dst has other ways in, and where Dst is a small
// call-free arm in a loop, which the optimizer can then still turn into a
// select, with the loop's counters in registers (an increment in the arm
// would be merged into a select of two counter addresses, which stays in
// memory). Elsewhere, an increment in Dst runs only when the edge is taken.
static bool edgeAtBranch(BasicBlock *Src, BasicBlock *Dst,
                            const LoopInfo &LI) {
  auto *Br = dyn_cast<BranchInst>(Src->getTerminator());
  if (!Br || !Br->isConditional() || Br->getSuccessor(0) == Br->getSuccessor(1))
    return false;
  if (Dst->getUniquePredecessor() != Src)
    return true;
  if (Dst->size() > 24 || !LI.getLoopFor(Dst) || LI.getLoopFor(Dst) != LI.getLoopFor(Src))
    return false;
  for (Instruction &I : *Dst)
    if (isa<CallBase>(I) && !isa<DbgInfoIntrinsic>(I))
      return false;
  return true;
}

// Where a counter on the edge Src -> Dst between two blocks can sit: at
// the branch (edgeAtBranch), at the top of Dst if it is entered only from
// Src, at the bottom of Src if it only goes to Dst, or in a block split
// into the edge of a switch or of an invoke's normal return.
static EdgeSite edgeSite(BasicBlock *Src, BasicBlock *Dst, const LoopInfo &LI) {
  if (edgeAtBranch(Src, Dst, LI))
    return EdgeSite::AtBranch;
  if (Dst->getUniquePredecessor() == Src)
    return Dst->getFirstInsertionPt() != Dst->end() ? EdgeSite::Top
                                                    : EdgeSite::None;
  Instruction *Term = Src->getTerminator();
  if (isa<BranchInst>(Term))
    return EdgeSite::Bottom; // its only way out
  if (isa<SwitchInst>(Term))
    return Dst->isEHPad() ? EdgeSite::None : EdgeSite::Split;
  if (auto *Inv = dyn_cast<InvokeInst>(Term))
    return Dst == Inv->getNormalDest() && Dst != Inv->getUnwindDest() &&
                   !Dst->isEHPad()
               ? EdgeSite::Split
               : EdgeSite::None;
  return EdgeSite::None;
}

// A call in the block may leave the function other than by returning:
// longjmp, exit, an exception, a fatal signal.
static bool mayLeaveFrom(BasicBlock &BB, const Function *Ours) {
  for (Instruction &I : BB) {
    auto *CB = dyn_cast<CallBase>(&I);
    if (!CB || (Ours && CB->getCalledFunction() == Ours) ||
        (isa<IntrinsicInst>(CB) && !CB->doesNotReturn() && !isa<InvokeInst>(CB)))
      continue;
    return true;
  }
  return isa<UnreachableInst>(BB.getTerminator());
}

// Counts mode: where the hit counters go. The blocks' counts follow from
// the counts of the edges between them (what enters a block leaves it), so
// counting the edges that a spanning tree of the graph leaves out is
// enough: the runtime derives the tree's edges, leaf by leaf (Knuth; gcov
// and LLVM's IR profiling place their counters so). The tree takes the
// edges estimated hottest. The graph has an entry and an exit node; a
// block with a call that may not return has an edge to the exit that
// nothing counts (a longjmp, exit() or a throw leaves through it): such
// edges must be in the tree, and so must edges no counter can sit on.
// Returns false where that fails (always with setjmp), or where the
// counted edges are estimated to run no less often than the blocks: the
// function then gets one counter per block.
bool ModuleInstrumenter::planEdgeCounters(Function &F, EdgeLayout &Out) {
  BlockFrequencyInfo &BFI = FAM.getResult<BlockFrequencyAnalysis>(F);
  BranchProbabilityInfo &BPI = FAM.getResult<BranchProbabilityAnalysis>(F);
  LoopInfo &LI = FAM.getResult<LoopAnalysis>(F);
  const Function *GetBuffer = M.getFunction("__lineprof_get_buffer");
  SmallVector<BasicBlock *, 32> Blocks;
  DenseMap<const BasicBlock *, unsigned> Node;
  for (BasicBlock &BB : F) {
    Node[&BB] = Blocks.size();
    Blocks.push_back(&BB);
  }
  const unsigned Entry = Blocks.size(), Exit = Entry + 1;
  auto node = [&](BasicBlock *BB, unsigned None) {
    return BB ? Node.lookup(BB) : None;
  };

  std::vector<EdgePlan> &Plan = Out.Plan;
  Plan.push_back({nullptr, Blocks[0], BFI.getBlockFreq(Blocks[0]).getFrequency(),
                  EdgeSite::Top, false, NoCounter});
  for (BasicBlock *BB : Blocks) {
    Instruction *Term = BB->getTerminator();
    uint64_t Freq = BFI.getBlockFreq(BB).getFrequency();
    if (isa<ReturnInst>(Term) || isa<ResumeInst>(Term)) {
      // After a musttail call the return cannot be counted apart from it.
      Plan.push_back({BB, nullptr, Freq,
                      BB->getTerminatingMustTailCall() ? EdgeSite::None
                                                       : EdgeSite::Bottom,
                      false, NoCounter});
    } else if (isa<BranchInst>(Term) || isa<SwitchInst>(Term) ||
               isa<InvokeInst>(Term)) {
      SmallSetVector<BasicBlock *, 4> Succs(succ_begin(BB), succ_end(BB));
      for (BasicBlock *S : Succs) {
        if (!Node.count(S))
          return false;
        uint64_t W = BPI.getEdgeProbability(BB, S).scale(Freq);
        Plan.push_back({BB, S, W, edgeSite(BB, S, LI), false, NoCounter});
      }
    } else if (!isa<UnreachableInst>(Term)) {
      return false; // indirectbr, callbr, funclet pads
    }
    if (mayLeaveFrom(*BB, GetBuffer))
      Plan.push_back({BB, nullptr, 0, EdgeSite::None, true, NoCounter});
    // setjmp's second return would enter its block from the entry, with
    // no counter; with the block's way out to the exit, also uncounted,
    // that is a cycle no tree can hold.
    for (Instruction &I : *BB)
      if (auto *CB = dyn_cast<CallBase>(&I))
        if (CB->hasFnAttr(Attribute::ReturnsTwice))
          return false;
  }

  // Kruskal: the exit-to-entry edge closes the flow and is never counted.
  std::vector<unsigned> Parent(Blocks.size() + 2);
  for (unsigned I = 0; I < Parent.size(); ++I)
    Parent[I] = I;
  auto find = [&](unsigned X) {
    while (Parent[X] != X)
      X = Parent[X] = Parent[Parent[X]];
    return X;
  };
  auto unite = [&](unsigned A, unsigned B) {
    A = find(A), B = find(B);
    if (A == B)
      return false;
    Parent[A] = B;
    return true;
  };
  unite(Exit, Entry);
  std::vector<size_t> Order;
  for (size_t I = 0; I < Plan.size(); ++I) {
    if (Plan[I].Site != EdgeSite::None)
      Order.push_back(I);
    else if (!unite(node(Plan[I].Src, Entry), node(Plan[I].Dst, Exit)))
      return false;
  }
  // Into the tree first go the edges whose counter would cost most, so
  // that the counters go where they are cheapest. A counter at a branch
  // adds its condition each time the branch runs, whichever way it goes:
  // it costs the block's frequency, not the edge's (a loop's exit, counted
  // at the loop's test, would cost every iteration). An increment at the
  // bottom of a small arm keeps the arm a block, which the optimizer could
  // otherwise have turned into a select: four times the edge's frequency.
  // Costs compare by eighths of a power of two (the two edges of a chain,
  // into an arm and out of it, have the same frequency, up to the rounding
  // of the estimate). Of equals, the tree takes the edges counted at a
  // branch first, the false side before the true side: an increment is
  // the cheapest counter, then `+= cond`, then `+= !cond`. The Collatz
  // loop of bench/workloads/intloop.c counts its iterations and its odd
  // steps, where it counted its odd and its even steps: 1.41x -> 1.21x the
  // plain time.
  auto isArm = [&](BasicBlock *BB) {
    BasicBlock *Pred = BB->getUniquePredecessor();
    return Pred && edgeAtBranch(Pred, BB, LI);
  };
  auto costOf = [&](const EdgePlan &E) -> uint64_t {
    if (E.Site == EdgeSite::AtBranch)
      return BFI.getBlockFreq(E.Src).getFrequency();
    if (E.Site == EdgeSite::Bottom && isArm(E.Src))
      return 4 * E.Weight;
    return E.Weight;
  };
  std::vector<std::tuple<int, bool, bool>> Key(Plan.size());
  for (size_t I : Order) {
    const EdgePlan &E = Plan[I];
    uint64_t Cost = costOf(E);
    bool AtBranch = E.Site == EdgeSite::AtBranch;
    Key[I] = {Cost ? int(8 * std::log2(double(Cost))) : -1, AtBranch,
              AtBranch && E.Src->getTerminator()->getSuccessor(1) == E.Dst};
  }
  std::sort(Order.begin(), Order.end(), [&](size_t A, size_t B) {
    if (Key[A] != Key[B])
      return Key[A] > Key[B];
    return A < B;
  });
  uint64_t EdgeCost = 0, BlockCost = 0; // estimated counter updates
  for (size_t I : Order)
    if (!unite(node(Plan[I].Src, Entry), node(Plan[I].Dst, Exit))) {
      Plan[I].Counter = Out.Counters++;
      EdgeCost += costOf(Plan[I]);
    }
  for (BasicBlock *BB : Blocks)
    BlockCost += BFI.getBlockFreq(BB).getFrequency();
  // A block with a call has two ways out, so a function of one block with
  // a call needs two counters where counting its block takes one.
  return EdgeCost < BlockCost;
}

// Where a block's own code ends: its terminator, or the musttail call that
// must stay just before its return.
static Instruction *codeEnd(BasicBlock &BB) {
  Instruction *Term = BB.getTerminator();
  if (isa<ReturnInst>(Term))
    if (CallInst *Tail = BB.getTerminatingMustTailCall())
      return Tail;
  return Term;
}

// Bounded code runs a fixed, short sequence of instructions: it can only
// take microseconds through a page fault, a switch or a stall, and the
// runtime counts a long weighted sample of it once unless the thread
// faulted (runtime/switches.c). Its cost is its number of instructions,
// a call's being its callee's plus one; unbounded code costs Unbounded:
// a call other than of a bounded function of this module that the linker
// cannot replace, or of an intrinsic without side effects (or a marker
// such as lifetime.start: memcpy and memset can become library calls and
// take as long as their size, rdrand can take microseconds), and a
// function with a loop. Code that costs more than BoundedLimit is not
// bounded either: a fully unrolled hash round of thousands of
// instructions can take microseconds on its own. Decided on the code as
// clang made it, before any is instrumented.
uint32_t ModuleInstrumenter::boundedCost(const Instruction &I) {
  if (isa<DbgInfoIntrinsic>(I))
    return 0;
  auto *CB = dyn_cast<CallBase>(&I);
  if (!CB)
    return 1;
  if (auto *II = dyn_cast<IntrinsicInst>(CB))
    return !II->mayHaveSideEffects() || II->isAssumeLikeIntrinsic() ? 1
                                                                     : Unbounded;
  const auto *Callee =
      dyn_cast<Function>(CB->getCalledOperand()->stripPointerCasts());
  if (!Callee || Callee->isInterposable() ||
      !(Callee->hasLocalLinkage() || Callee->isDSOLocal()))
    return Unbounded;
  uint32_t C = boundedCost(*Callee);
  return C > BoundedLimit ? Unbounded : C + 1;
}

uint32_t ModuleInstrumenter::boundedCost(const Function &F) {
  auto Found = CostOf.find(&F);
  if (Found != CostOf.end())
    return Found->second; // Unbounded while visiting: a cycle
  CostOf[&F] = Unbounded;
  uint64_t Cost = F.isDeclaration() ? Unbounded : 0;
  for (const Instruction &I : instructions(F))
    if (Cost <= BoundedLimit)
      Cost += boundedCost(I);
  if (Cost <= BoundedLimit) {
    SmallVector<std::pair<const BasicBlock *, const BasicBlock *>, 4> Back;
    FindFunctionBackedges(F, Back);
    if (!Back.empty())
      Cost = Unbounded;
  }
  uint32_t C = Cost <= BoundedLimit ? uint32_t(Cost) : Unbounded;
  CostOf[&F] = C;
  return C;
}

// Whether the frame ends where codeEnd says: a return, a resume, or a
// musttail call.
static bool leavesFrame(const Instruction *End) {
  return isa<ReturnInst>(End) || isa<ResumeInst>(End) || isa<CallInst>(End);
}

// Versioning. A gate decides for its blocks (a loop's body, or the code
// of the function outside its loops) whether this iteration or call is
// timed. With the probes' `if (timed)` tests in every block, each block
// is one path for both cases: a small if/else arm holds a test and a
// call, so the optimizer cannot turn it into a select, and a data-
// dependent branch that plain code runs as a conditional move stays a
// branch (bench/workloads/intloop.c: 2.3x the plain time). JumpThreading
// duplicated some of these paths, not reliably. So the pass makes the
// copies itself: each gate's blocks get a copy with the counters only,
// which the gate enters when it does not time; the original gets the
// probes, unconditionally. Where control leaves an inner loop for its
// outer gate's blocks, a branch on that gate's decision picks the copy.
//
// Not for functions whose control flow cannot be copied this way: unwind
// edges (an invoke's landing pad cannot take a dispatch block), setjmp's
// second return, indirectbr and callbr, and token values.
bool ModuleInstrumenter::canVersion(const Function &F) const {
  if (F.hasPersonalityFn())
    return false;
  for (const BasicBlock &BB : F) {
    const Instruction *T = BB.getTerminator();
    if (isa<IndirectBrInst>(T) || isa<CallBrInst>(T))
      return false;
    for (const Instruction &I : BB) {
      if (I.getType()->isTokenTy())
        return false;
      if (auto *CB = dyn_cast<CallBase>(&I))
        if (CB->hasFnAttr(Attribute::ReturnsTwice))
          return false;
    }
  }
  return true;
}

// Makes the untimed copies (Untimed: original code block -> copy). A gate
// block's code is split off below its gate (TopOf): the gate, its phis and
// what every copy shares stay in one block, which then branches on the
// gate's decision. Values used outside their gate's blocks go through
// memory first (SROA puts them back in registers), so that the copies
// need no phis between them.
void ModuleInstrumenter::versionRegions(
    Function &F, ArrayRef<BasicBlock *> Blocks,
    DenseMap<BasicBlock *, Instruction *> &TopOf,
    const DenseMap<BasicBlock *, BlockClock> &Gates,
    function_ref<BasicBlock *(BasicBlock *)> GateOf,
    DenseMap<BasicBlock *, BasicBlock *> &Untimed) {
  // Code block (and, once made, its copy) -> its gate.
  DenseMap<BasicBlock *, BasicBlock *> GateOfCode;
  MapVector<BasicBlock *, SmallVector<BasicBlock *, 8>> Region;
  DenseMap<BasicBlock *, BasicBlock *> Head; // gate -> its shared block
  for (BasicBlock *BB : Blocks) {
    BasicBlock *G = GateOf(BB);
    BasicBlock *Code = BB;
    if (BB == G) {
      BasicBlock *Shared = TopOf[BB]->getParent();
      Code = Shared->splitBasicBlock(TopOf[BB], BB->getName() + ".lp.code");
      Head[G] = Shared;
    }
    GateOfCode[Code] = G;
    Region[G].push_back(Code);
  }
  auto userBlock = [](Use &U) {
    auto *I = cast<Instruction>(U.getUser());
    if (auto *Phi = dyn_cast<PHINode>(I))
      return Phi->getIncomingBlock(U);
    return I->getParent();
  };
  // Phis entered from another gate's blocks, then values used outside
  // their own gate's blocks, go through memory.
  SmallVector<PHINode *, 8> Phis;
  for (auto &KV : Region)
    for (BasicBlock *X : KV.second)
      for (PHINode &Phi : X->phis())
        if (any_of(Phi.blocks(),
                   [&](BasicBlock *In) { return GateOfCode.lookup(In) != KV.first; }))
          Phis.push_back(&Phi);
  for (PHINode *Phi : Phis)
    DemotePHIToStack(Phi);
  SmallVector<Instruction *, 16> Values;
  for (auto &KV : Region)
    for (BasicBlock *X : KV.second)
      for (Instruction &I : *X)
        if (any_of(I.uses(),
                   [&](Use &U) { return GateOfCode.lookup(userBlock(U)) != KV.first; }))
          Values.push_back(&I);
  for (Instruction *I : Values)
    DemoteRegToStack(*I);

  DenseMap<BasicBlock *, std::unique_ptr<ValueToValueMapTy>> Maps;
  for (auto &KV : Region) {
    BasicBlock *G = KV.first;
    ValueToValueMapTy &VM = *(Maps[G] = std::make_unique<ValueToValueMapTy>());
    SmallVector<BasicBlock *, 8> Copies;
    for (BasicBlock *X : KV.second) {
      BasicBlock *C = CloneBasicBlock(X, VM, ".lp.untimed", &F);
      VM[X] = C;
      Untimed[X] = C;
      GateOfCode[C] = G;
      Copies.push_back(C);
    }
    for (BasicBlock *C : Copies)
      for (Instruction &I : *C) {
        RemapInstruction(&I, VM, RF_NoModuleLevelChanges | RF_IgnoreMissingLocals);
#if LLVM_VERSION_MAJOR >= 19
        // Not I.getDbgRecordRange(): its empty case refers to a variable
        // that older LLVMs lack, and the plugin could then not be loaded
        // into them to say that it was built for another version.
        if (I.DebugMarker)
          RemapDbgRecordRange(&M, I.DebugMarker->getDbgRecordRange(), VM,
                              RF_NoModuleLevelChanges | RF_IgnoreMissingLocals);
#endif
      }
  }

  // Edges that leave a gate's blocks, from both copies: into a loop's
  // header, whose gate decides anew (its phis take the copy's values
  // too), or out of a loop into the blocks of an outer gate, whose
  // decision picks the copy there.
  for (auto &KV : Region) {
    BasicBlock *G = KV.first;
    ValueToValueMapTy &VM = *Maps[G];
    for (BasicBlock *X : KV.second) {
      BasicBlock *Copy = Untimed[X];
      for (BasicBlock *From : {X, Copy}) {
        Instruction *T = From->getTerminator();
        DenseMap<BasicBlock *, BasicBlock *> Pick;
        SmallPtrSet<BasicBlock *, 4> Done;
        for (unsigned I = 0, N = T->getNumSuccessors(); I < N; ++I) {
          BasicBlock *S = T->getSuccessor(I);
          BasicBlock *SG = GateOfCode.lookup(S);
          if (SG == G)
            continue;
          if (Gates.count(S)) {
            if (From == Copy && Done.insert(S).second)
              for (PHINode &Phi : S->phis()) {
                SmallVector<Value *, 2> Vals;
                for (unsigned K = 0, E = Phi.getNumIncomingValues(); K < E; ++K)
                  if (Phi.getIncomingBlock(K) == X) {
                    Value *V = Phi.getIncomingValue(K);
                    auto It = VM.find(V);
                    Vals.push_back(It != VM.end() ? static_cast<Value *>(It->second) : V);
                  }
                for (Value *V : Vals)
                  Phi.addIncoming(V, Copy);
              }
            continue;
          }
          if (!SG || !Untimed.count(S))
            report_fatal_error(Twine("lineprof: internal error: an edge into "
                                     "no gate's blocks in ") + F.getName());
          BasicBlock *&D = Pick[S];
          if (!D) {
            D = BasicBlock::Create(Ctx, S->getName() + ".lp.pick", &F);
            BranchInst *Br =
                BranchInst::Create(S, Untimed[S], Gates.lookup(SG).Timed, D);
            Br->setMetadata(LLVMContext::MD_prof, UnlikelyWeights);
          }
          T->setSuccessor(I, D);
        }
      }
    }
    // The gate's block picks the copy of the code below it.
    Instruction *Old = Head[G]->getTerminator();
    BasicBlock *Code = Old->getSuccessor(0);
    BranchInst *Br = BranchInst::Create(Code, Untimed[Code], Gates.lookup(G).Timed, Old);
    Br->setMetadata(LLVMContext::MD_prof, UnlikelyWeights);
    Old->eraseFromParent();
  }
}

void ModuleInstrumenter::instrumentFunction(Function &F) {
  const TargetLibraryInfo &TLI = FAM.getResult<TargetLibraryAnalysis>(F);
  DISubprogram *SP = F.getSubprogram();
  uint32_t FnIndex = Functions.size();
  FunctionInfo FI;
  FI.LinkageName = F.getName().str();
  if (startsWith(StringRef(FI.LinkageName), "_Z"))
    FI.Name = demangle(FI.LinkageName);
  else
    FI.Name = SP && !SP->getName().empty() ? SP->getName().str()
                                           : FI.LinkageName;
  std::string MainFile =
      SP ? absolutePath(SP->getFile()) : M.getSourceFileName();
  FI.File = fileId(MainFile, SP ? SP->getFile() : nullptr);
  FI.Line = SP ? SP->getLine() : 0;

  // The program's memory accesses cannot alias the counters.
  for (BasicBlock &BB : F)
    for (Instruction &I : BB)
      if (isa<LoadInst>(I) || isa<StoreInst>(I) || isa<MemIntrinsic>(I) ||
          isa<AtomicRMWInst>(I) || isa<AtomicCmpXchgInst>(I))
        I.setMetadata(LLVMContext::MD_noalias,
                      MDNode::concatenate(I.getMetadata(LLVMContext::MD_noalias),
                                          CounterScope));

  bool Bounded = Timing != TimingMode::None && isBounded(F);

  // Collect the original blocks before we add any.
  SmallVector<BasicBlock *, 32> Blocks;
  for (BasicBlock &BB : F)
    Blocks.push_back(&BB);

  Instruction *BufLast = nullptr;
  Value *Buf = emitBufferLoad(F, BufLast);
  BasicBlock *Body = Blocks[0];
  FI.EntryBlock = NumBlocks;
  bool Reentrant = !cannotReenter(F);
  if (!Reentrant) {
    FI.Flags |= FnNoReentry;
  } else if (ReentersOnlyItself.count(&F)) {
    // Re-entered through its own calls only (fib): each call those make is
    // a recursive one, so the runtime takes the function's primitive calls
    // as its calls minus the calls of its calls of itself, and the counts
    // mode, which times nothing, keeps no active frame. The time mode
    // still needs the frame: only the outermost call adds its duration.
    Reentrant = false;
    FI.Flags |= FnSelfReentry;
  }
  Functions.push_back(FI);

  uint64_t FnWord = FnIndex * FnWords;
  auto fnWordPtr = [&](IRBuilder<> &IB, uint64_t Word) {
    return IB.CreateConstInBoundsGEP1_64(I64, Buf, FnWord + Word);
  };
  ProbeWordIndex = FnWord + FnProbeTicks;
  auto addTo = [&](IRBuilder<> &IB, Value *Ptr, Value *V) {
    LoadInst *L = IB.CreateLoad(I64, Ptr);
    StoreInst *S = IB.CreateStore(IB.CreateAdd(L, V), Ptr);
    markOurs(L);
    markOurs(S);
  };

  // Values from the entry block, used by every exit.
  BlockClock EntryClock;
  Value *EntryProbes = nullptr;
  AllocaInst *Anchor = nullptr; // a byte of the frame: its address

  // Where each block's own code starts, before we add any.
  DenseMap<BasicBlock *, Instruction *> TopOf;
  for (BasicBlock *BB : Blocks)
    TopOf[BB] = BB == Body ? BufLast->getNextNode() : &*BB->getFirstInsertionPt();

  // Gates: the function's entry and every loop header decide whether the
  // blocks they dominate are timed, for one call or one iteration. Blocks
  // take the decision of the innermost loop around them, or of the entry.
  LoopInfo &LI = FAM.getResult<LoopAnalysis>(F);
  DenseMap<BasicBlock *, BlockClock> Gates;
  auto gateOf = [&](BasicBlock *BB) -> BasicBlock * {
    Loop *L = LI.getLoopFor(BB);
    return L ? L->getHeader() : Body;
  };
  // Sampled: every gate's blocks get an untimed copy (versionRegions),
  // which the gate picks when it does not time. At -O0 too: there a test
  // before each probe reloads the decision and copies the timestamp's phi
  // through the stack, timed or not (sqlite3.c: 13% more code, and its
  // workload twice as slow as with the copies).
  bool Versioned = Timing == TimingMode::Sampled && canVersion(F);

  // Hit counters first, so that every gate exists before the blocks that
  // use it are instrumented.
  //
  // In counts mode, a small block without calls inside a loop, whose only
  // way in is one side of a conditional branch in the same loop, is
  // counted at that branch instead: its counter adds the condition (0 or
  // 1). Exact (the block runs exactly when that edge is taken), and it
  // leaves a small `if` or `if/else` arm with no instrumentation, so that
  // the optimizer can still turn it into a select: the loop's counters
  // live in registers, and the arms of a data-dependent branch cost two
  // instructions and no misprediction (bench/workloads/intloop.c at
  // 2000000: 1.84x -> 1.37x the plain build's time).
  // Elsewhere one increment in the block is cheaper: arms with calls are
  // not turned into selects, a loop's exit would add on every iteration,
  // and in the time mode the arms keep their timestamps.
  struct EdgeCount {
    BranchInst *Br;
    bool OnTrue;
    uint32_t Block;
  };
  SmallVector<EdgeCount, 16> EdgeCounts;
  auto countedAtBranch = [&](BasicBlock *BB) -> BranchInst * {
    BasicBlock *P = BB->getSinglePredecessor();
    if ((Timing != TimingMode::None && !Versioned) || BB == Body || !P || P == BB ||
        LI.isLoopHeader(BB) || !edgeAtBranch(P, BB, LI))
      return nullptr;
    return cast<BranchInst>(P->getTerminator());
  };
  DenseMap<BasicBlock *, uint32_t> BlockIndex;
  for (BasicBlock *BB : Blocks)
    BlockIndex[BB] = NumBlocks++;
  auto Layout = EdgeLayoutOf.find(&F);
  bool ByEdges = Layout != EdgeLayoutOf.end();
  ArrayRef<EdgePlan> Plan = ByEdges ? ArrayRef<EdgePlan>(Layout->second.Plan)
                                    : ArrayRef<EdgePlan>();
  if (ByEdges) {
    NumBlocks = FI.EntryBlock + std::max<uint32_t>(Blocks.size(),
                                                   Layout->second.Counters);
    Functions[FnIndex].Flags |= FnEdgeCounts;
  }
  for (BasicBlock *BB : ByEdges ? ArrayRef<BasicBlock *>() : Blocks) {
    uint32_t BlockIdx = BlockIndex[BB];
    if (BranchInst *Br = countedAtBranch(BB)) {
      EdgeCounts.push_back({Br, Br->getSuccessor(0) == BB, BlockIdx});
      continue;
    }
    IRBuilder<> B(TopOf[BB]);
    Value *HitPtr =
        B.CreateConstInBoundsGEP1_64(I64, Buf, HitsBase + BlockIdx, "lp.hit");
    LoadInst *OldHits = B.CreateLoad(I64, HitPtr);
    Value *Hits = B.CreateAdd(OldHits, B.getInt64(1));
    markOurs(OldHits);
    markOurs(B.CreateStore(Hits, HitPtr));
    if (Timing == TimingMode::Sampled && (BB == Body || LI.isLoopHeader(BB)))
      Gates[BB] = emitGate(Buf, TopOf[BB], Hits);
  }

  // Recursion: a call is primitive unless a frame of this function is
  // still live on this thread. The active frame's address heals itself
  // after a longjmp or an exception skipped our exit code: any frame at or
  // above it on the stack proves it dead. The exit finds out again whether
  // the call was primitive (the active frame is its own), so that nothing
  // stays live across the body: keeping the entry's values took two
  // callee-saved registers, pushed and popped on every call.
  auto enterFrame = [&](Instruction *Top) {
    IRBuilder<> B(Top);
    {
      IRBuilder<> AB(&*F.getEntryBlock().getFirstInsertionPt());
      Anchor = AB.CreateAlloca(I8, nullptr, "lp.anchor");
    }
    Value *Here = B.CreatePtrToInt(Anchor, I64);
    Value *ActiveAddr = fnWordPtr(B, FnActiveFrame);
    LoadInst *Active = B.CreateLoad(I64, ActiveAddr);
    markOurs(Active);
    Value *Primitive = B.CreateICmpUGE(Here, Active, "lp.primitive");
    markOurs(B.CreateStore(B.CreateSelect(Primitive, Here, Active), ActiveAddr));
    addTo(B, fnWordPtr(B, FnPrimitiveCalls), B.CreateZExt(Primitive, I64));
  };

  // The blocks counted at their branch: the additions carry no line.
  auto addEdgeCounts = [&]() {
    for (const EdgeCount &E : EdgeCounts) {
      IRBuilder<> B(E.Br);
      B.SetCurrentDebugLocation(DebugLoc());
      Value *Taken = E.Br->getCondition();
      if (!E.OnTrue)
        Taken = B.CreateNot(Taken);
      Value *Ptr =
          B.CreateConstInBoundsGEP1_64(I64, Buf, HitsBase + E.Block, "lp.edge");
      addTo(B, Ptr, B.CreateZExt(Taken, I64));
    }
    EdgeCounts.clear();
  };

  // Leaving the frame: a timed primitive call adds its duration, and a
  // primitive call releases the function's active frame.
  auto leaveFrame = [&](Instruction *Term) {
    IRBuilder<> IB(Term);
    Value *Primitive = nullptr, *ActiveAddr = nullptr;
    LoadInst *Active = nullptr;
    if (Reentrant) {
      ActiveAddr = fnWordPtr(IB, FnActiveFrame);
      Active = IB.CreateLoad(I64, ActiveAddr);
      markOurs(Active);
      Primitive = IB.CreateICmpEQ(Active, IB.CreatePtrToInt(Anchor, I64),
                                  "lp.primitive");
    }
    if (Timing != TimingMode::None) {
      Value *Cond = Primitive;
      if (EntryClock.Timed)
        Cond = Cond ? IB.CreateAnd(Cond, EntryClock.Timed) : EntryClock.Timed;
      Instruction *Then =
          Cond ? SplitBlockAndInsertIfThen(Cond, Term, false, UnlikelyWeights)
               : Term;
      IRBuilder<> TB(Then);
      Value *Now = readClock(TB);
      Value *D = TB.CreateSub(Now, EntryClock.Ticks);
      // A long call that stands for more than one and was preempted
      // counts once (runtime/switches.c), and so do the timestamps
      // taken in it; so does one of a bounded function that was stopped.
      Value *Weight = EntryClock.Weight;
      if (Weight) {
        Instruction *At = &*TB.GetInsertPoint();
        Value *Ask = TB.CreateAnd(TB.CreateICmpUGT(D, TB.getInt64(SwitchLong)),
                                  TB.CreateICmpUGT(Weight, TB.getInt64(1)));
        Weight = callSwitchIf(Ask, At, Now, D, Weight, TB.getInt64(0), Weight,
                              Bounded);
        TB.SetInsertPoint(At);
        D = TB.CreateMul(D, Weight);
      }
      addTo(TB, fnWordPtr(TB, FnInclusiveTicks), D);
      // And how many timestamps were taken inside it, weighted: the
      // runtime subtracts what they cost. The one just taken is one of
      // them: D holds the boundary before it (the return from the last
      // segment's close, the timestamp), and so does the caller's call
      // segment, which reads the count after the call.
      Value *Probes = TB.CreateSub(countProbe(TB), EntryProbes);
      if (Weight)
        Probes = TB.CreateMul(Probes, Weight);
      addTo(TB, fnWordPtr(TB, FnInclusiveProbes), Probes);
      IB.SetInsertPoint(Term);
    }
    if (Reentrant)
      markOurs(IB.CreateStore(
          IB.CreateSelect(Primitive, IB.getInt64(0), Active), ActiveAddr));
  };

  // Versioned: what every copy shares goes in before the copies are made
  // (the counters, the entry's frame and its first timestamp, taken when
  // the entry's gate times the call); the segments' timestamps go into
  // the timed copy after.
  DenseMap<BasicBlock *, BasicBlock *> Untimed;
  if (Versioned) {
    addEdgeCounts();
    if (Reentrant)
      enterFrame(TopOf[Body]);
    EntryClock = Gates.lookup(Body);
    EntryClock.Ticks = startClock(TopOf[Body], EntryClock);
    EntryProbes = probeCountAfter(EntryClock.Ticks);
    versionRegions(F, Blocks, TopOf, Gates, gateOf, Untimed);
  }

  for (BasicBlock *BB : Blocks) {
    uint32_t BlockIdx = BlockIndex[BB];
    // The block's own instructions and terminator, before we add any; a
    // gate moved them to a block of their own.
    BasicBlock *Code = TopOf[BB]->getParent();
    SmallVector<Instruction *, 64> Insts;
    for (Instruction &I : *Code)
      if (&I != Code->getTerminator() && !isa<DbgInfoIntrinsic>(I) &&
          !isa<PHINode>(I) && !I.isEHPad() && !isa<AllocaInst>(I))
        Insts.push_back(&I);
    if (BufLast->getParent() == Code) // what emitBufferLoad added
      Insts.erase(Insts.begin(), std::find(Insts.begin(), Insts.end(), BufLast) + 1);
    Instruction *Term = codeEnd(*Code);

    Instruction *Top = TopOf[BB];
    IRBuilder<> B(Top);
    BlockClock Clock;
    if (Timing == TimingMode::Sampled)
      Clock = Gates.lookup(gateOf(BB));

    if (BB == Body && Reentrant && !Versioned)
      enterFrame(Top);
    // The function's own line (`int f(int n) {`) counts the calls.
    if (BB == Body && FI.Line)
      Segments.push_back({FnIndex, FI.File, FI.Line, BlockIdx, 0});

    if (Versioned) {
      // The timed copy: every probe runs, with the gate's weight.
      Clock.Timed = nullptr;
      Clock.Ticks = BB == Body ? EntryClock.Ticks : startClock(Top, Clock);
    } else {
      if (Timing != TimingMode::None)
        Clock.Ticks = startClock(Top, Clock);
      if (BB == Body && Timing != TimingMode::None) {
        // The timestamps taken so far, read where the entry's are taken.
        EntryProbes = probeCountAfter(Clock.Ticks);
      }
      if (BB == Body)
        EntryClock = Clock;
    }

    // Walk the block and cut it into segments.
    SegmentInfo Cur{FnIndex, FI.File, 0, BlockIdx, 0};
    uint64_t CurCost = 0; // boundedCost of Cur so far
    auto bounded = [&]() { return CurCost <= BoundedLimit; };
    // Close the open segment before I and open Next.
    // A call segment's duration holds the timestamps its callee took: the
    // timed path counts them (the thread's timestamp count when the call
    // segment opens, CallProbes, and when it closes) into the word of a
    // pseudo-segment after it, and the runtime takes their cost off.
    Value *CallProbes = nullptr;
    auto closeCall = [&](Instruction *Before, uint32_t SegIdx) {
      Segments.push_back({FnIndex, Cur.File, 0, BlockIdx, SegCallProbes});
      Value *T = closeSegment(Before, Clock, SegIdx, bounded());
      IRBuilder<> CB(probeCallOf(T));
      Value *N = CB.CreateSub(CB.CreateLoad(I64, ProbeCount), CallProbes);
      if (Clock.Weight)
        N = CB.CreateMul(N, Clock.Weight);
      addTo(CB, CB.CreateConstInBoundsGEP1_64(I64, Buf, TicksBase + SegIdx + 1), N);
      return T;
    };
    auto boundary = [&](Instruction *Before, const SegmentInfo &Next) {
      uint32_t SegIdx = Segments.size();
      Segments.push_back(Cur);
      if (Timing != TimingMode::None) {
        if (Cur.Flags & SegCall)
          Clock.Ticks = closeCall(Before, SegIdx);
        else
          Clock.Ticks = closeSegment(Before, Clock, SegIdx, bounded());
        if (Next.Flags & SegCall)
          CallProbes = probeCountAfter(Clock.Ticks);
      }
      Cur = Next;
      CurCost = 0;
    };
    auto lineAt = [&](const DebugLoc &DL, uint32_t &Line, uint32_t &File) {
      if (!DL || DL.getLine() == 0)
        return false;
      Line = DL.getLine();
      auto *Scope = cast<DIScope>(DL.getScope());
      File = fileId(absolutePath(Scope->getFile()), Scope->getFile());
      return true;
    };
    auto locOf = [&](Instruction &I, uint32_t &Line, uint32_t &File) {
      // Markers such as lifetime.end carry the `}` of their scope but run
      // no code; they must not open a segment.
      if ((isa<IntrinsicInst>(I) && !isa<MemIntrinsic>(I)) ||
          isa<BitCastInst>(I))
        return false;
      return lineAt(I.getDebugLoc(), Line, File);
    };

    // A block's first segment opens on the line of its first instruction,
    // a marker or a lone branch included (`u64 v;`, `break;`): a block hit
    // counter takes that location. Edge counters and the additions of a
    // block counted at its branch carry none; the segments must not depend
    // on where the counts went, or the modes would list different lines.
    lineAt(TopOf[BB]->getDebugLoc(), Cur.Line, Cur.File);
    for (Instruction *I : Insts) {
      if (I == Term)
        break; // a musttail call: handled with the terminator below
      uint32_t Line = 0, File = 0;
      bool HasLoc = locOf(*I, Line, File);
      auto *CB = dyn_cast<CallBase>(I);
      if (CB && CB->hasFnAttr(Attribute::ReturnsTwice)) {
        // setjmp: the second return comes from anywhere. Close the segment
        // before it and take a fresh timestamp after it.
        boundary(I, {FnIndex, HasLoc ? File : Cur.File, HasLoc ? Line : Cur.Line,
                     BlockIdx, 0});
        CurCost = Unbounded;
        if (Timing != TimingMode::None)
          Clock.Ticks = startClock(I->getNextNode(), Clock);
        continue;
      }
      if (CB && isTimedCall(*CB, TLI)) {
        SegmentInfo Call{FnIndex, HasLoc ? File : Cur.File,
                         HasLoc ? Line : Cur.Line, BlockIdx, SegCall,
                         calleeId(*CB)};
        if (Cur.Line == 0 && Call.Line != 0) {
          Cur.Line = Call.Line;
          Cur.File = Call.File;
        }
        boundary(I, Call);
        CurCost = boundedCost(*I); // a bounded callee's call
        if (!isa<InvokeInst>(I))
          boundary(I->getNextNode(), {FnIndex, Call.File, 0, BlockIdx, 0});
        continue;
      }
      if (HasLoc) {
        if (Cur.Line == 0) {
          Cur.Line = Line;
          Cur.File = File;
        } else if (Line != Cur.Line || File != Cur.File) {
          boundary(I, {FnIndex, File, Line, BlockIdx, 0});
        }
      }
      CurCost += boundedCost(*I);
    }

    uint32_t TLine = 0, TFile = 0;
    if (locOf(*Term, TLine, TFile)) {
      if (Cur.Line == 0) {
        Cur.Line = TLine;
        Cur.File = TFile;
      } else if ((TLine != Cur.Line || TFile != Cur.File) &&
                 (isa<ReturnInst>(Term) || isa<ResumeInst>(Term))) {
        // A return on a line of its own (`return 0;`, the `}` of a void
        // function) runs as often as its block; a timestamp for one
        // instruction is not worth its cost, so it gets hits but no time.
        // Branches are left out: their lines are braces and `do`, whose
        // count would be the edge's, not the statement's (docs/design.md).
        Segments.push_back({FnIndex, TFile, TLine, BlockIdx, 0});
      }
    }
    auto *Inv = dyn_cast<InvokeInst>(Term);
    if (Inv && isTimedCall(*Inv, TLI)) {
      // The invoke is a call segment that closes on the normal edge; on the
      // unwind edge its time is lost, never misattributed.
      boundary(Inv, {FnIndex, TLine ? TFile : Cur.File,
                     TLine ? TLine : Cur.Line, BlockIdx, SegCall,
                     calleeId(*Inv)});
      CurCost = boundedCost(*Inv);
      uint32_t SegIdx = Segments.size();
      Segments.push_back(Cur);
      if (Timing != TimingMode::None)
        closeCall(SplitEdge(Inv->getParent(), Inv->getNormalDest())->getTerminator(),
                  SegIdx);
      continue;
    }

    uint32_t LastSeg = Segments.size();
    Segments.push_back(Cur);
    CurCost += boundedCost(*Term);
    if (Timing != TimingMode::None)
      closeSegment(Term, Clock, LastSeg, bounded());
    if (leavesFrame(Term))
      leaveFrame(Term);
  }
  // The untimed copies leave the frame too.
  for (auto &KV : Untimed)
    if (Instruction *End = codeEnd(*KV.second); leavesFrame(End))
      leaveFrame(End);

  // Edge counters, now that the segments are cut (splitting an edge adds
  // a block): the additions carry no line.
  for (const EdgePlan &E : Plan) {
    Edges.push_back({FnIndex, E.Src ? BlockIndex[E.Src] : EdgeEntry,
                     E.Dst ? BlockIndex[E.Dst] : EdgeExit,
                     E.Counter == NoCounter ? NoCounter : FI.EntryBlock + E.Counter,
                     E.Fake ? EdgeFake : 0});
    if (E.Counter == NoCounter)
      continue;
    Instruction *At = nullptr;
    Value *By = nullptr;
    if (E.Site == EdgeSite::Top) {
      At = E.Src ? &*E.Dst->getFirstInsertionPt() : TopOf[Body];
    } else if (E.Site == EdgeSite::Bottom) {
      At = E.Src->getTerminator();
    } else if (E.Site == EdgeSite::AtBranch) {
      auto *Br = cast<BranchInst>(E.Src->getTerminator());
      At = Br;
      IRBuilder<> B(Br);
      B.SetCurrentDebugLocation(DebugLoc());
      By = Br->getCondition();
      if (Br->getSuccessor(0) != E.Dst)
        By = B.CreateNot(By);
      By = B.CreateZExt(By, I64);
    } else {
      Instruction *Term = E.Src->getTerminator();
      unsigned Succ = 0, N = Term->getNumSuccessors();
      while (Succ < N && Term->getSuccessor(Succ) != E.Dst)
        ++Succ;
      BasicBlock *Split =
          Succ == N ? nullptr
                    : SplitCriticalEdge(Term, Succ,
                                        CriticalEdgeSplittingOptions()
                                            .setMergeIdenticalEdges());
      if (!Split)
        report_fatal_error(Twine("lineprof: internal error: cannot split an "
                                 "edge in ") + F.getName());
      At = Split->getTerminator();
    }
    IRBuilder<> B(At);
    B.SetCurrentDebugLocation(DebugLoc());
    addTo(B, B.CreateConstInBoundsGEP1_64(I64, Buf, HitsBase + FI.EntryBlock + E.Counter,
                                          "lp.edge"),
          By ? By : B.getInt64(1));
  }

  // The blocks counted at their branch, now that the segments are cut: the
  // additions sit after the segment's last timestamp (versioned, they went
  // in before the copies were made).
  addEdgeCounts();
}

void ModuleInstrumenter::emitRuntimeGlue() {
  TlsBuffer = new GlobalVariable(M, PtrTy, false, GlobalValue::InternalLinkage,
                                 Constant::getNullValue(PtrTy),
                                 "__lineprof_buffer");
  TlsBuffer->setThreadLocal(true);
  // In an executable the buffer pointer is at a fixed offset from the thread
  // pointer; a shared library needs the general model to be dlopen-able.
  if (M.getPIELevel() != PIELevel::Default || M.getPICLevel() == PICLevel::NotPIC)
    TlsBuffer->setThreadLocalMode(GlobalValue::LocalExecTLSModel);
  // The timestamps this thread has taken, in every module of the image: a
  // timed call subtracts those taken inside it from its duration.
  ProbeCount = M.getNamedGlobal("__lineprof_probes");
  if (!ProbeCount) {
    ProbeCount = new GlobalVariable(M, I64, false, GlobalValue::LinkOnceODRLinkage,
                                    ConstantInt::get(I64, 0), "__lineprof_probes");
    ProbeCount->setVisibility(GlobalValue::HiddenVisibility);
    ProbeCount->setComdat(M.getOrInsertComdat("__lineprof_probes"));
    ProbeCount->setThreadLocal(true);
  }
  // Notes of the thread's involuntary context switches (lineprof_abi.h,
  // LP_SWITCH_*), one log per image and thread; only the runtime writes it.
  SwitchLog = M.getNamedGlobal("__lineprof_switches");
  if (!SwitchLog) {
    auto *Ty = ArrayType::get(I64, SwitchLogWords);
    SwitchLog = new GlobalVariable(M, Ty, false, GlobalValue::LinkOnceODRLinkage,
                                   Constant::getNullValue(Ty),
                                   "__lineprof_switches");
    SwitchLog->setVisibility(GlobalValue::HiddenVisibility);
    SwitchLog->setComdat(M.getOrInsertComdat("__lineprof_switches"));
    SwitchLog->setThreadLocal(true);
  }

  // The descriptor's type is only known at the end too; use a byte
  // placeholder and replace all uses.
  Desc = new GlobalVariable(M, I8, true, GlobalValue::PrivateLinkage,
                            ConstantInt::get(I8, 0), "__lineprof_desc_tmp");
  new GlobalVariable(M, I8, false, GlobalValue::InternalLinkage,
                     ConstantInt::get(I8, 0), "__lineprof_scratch");
}

void ModuleInstrumenter::emitDescriptor() {
  // The offsets were fixed before instrumenting; a wrong count would make
  // the program write past its buffer.
  if (HitsBase != FnWords * Functions.size() ||
      GatesBase != HitsBase + NumBlocks || GatesUsed != NumGates)
    report_fatal_error(Twine("lineprof: internal error: the block or gate count "
                       "changed while instrumenting ") +
                       M.getSourceFileName());
  uint64_t BufferWords = TicksBase + Segments.size();

  // Scratch buffer for runs without the runtime: the right size, in .bss.
  GlobalVariable *OldScratch = M.getNamedGlobal("__lineprof_scratch");
  auto *ScratchTy = ArrayType::get(I64, BufferWords ? BufferWords : 1);
  auto *Scratch = new GlobalVariable(M, ScratchTy, false,
                                     GlobalValue::InternalLinkage,
                                     Constant::getNullValue(ScratchTy), "");
  Scratch->takeName(OldScratch);
  OldScratch->replaceAllUsesWith(
      ConstantExpr::getPointerCast(Scratch, OldScratch->getType()));
  OldScratch->eraseFromParent();

  auto *FnTy = StructType::get(PtrTy, PtrTy, I32, I32, I32, I32);
  std::vector<Constant *> FnC, FileC, SumC;
  for (const FunctionInfo &F : Functions)
    FnC.push_back(ConstantStruct::get(
        FnTy, {cstr(F.Name, "lp.name"), cstr(F.LinkageName, "lp.link"),
               ConstantInt::get(I32, F.File), ConstantInt::get(I32, F.Line),
               ConstantInt::get(I32, F.EntryBlock), ConstantInt::get(I32, F.Flags)}));
  for (size_t I = 0; I < Files.size(); ++I) {
    FileC.push_back(cstr(Files[I], "lp.file"));
    SumC.push_back(cstr(Checksums[I], "lp.sum"));
  }
  std::vector<Constant *> CalleeC;
  for (const std::string &Name : Callees)
    CalleeC.push_back(cstr(Name, "lp.callee"));
  auto array = [&](Type *Elt, std::vector<Constant *> &Elts, StringRef Name) {
    auto *Ty = ArrayType::get(Elt, Elts.size());
    auto *G = new GlobalVariable(M, Ty, true, GlobalValue::PrivateLinkage,
                                 ConstantArray::get(Ty, Elts), Name);
    return ConstantExpr::getPointerCast(G, PtrTy);
  };
  // The segment and edge tables are arrays of structs of 32-bit words, laid
  // out without padding: emitted as flat arrays of words, which LLVM keeps
  // as raw data rather than one uniqued constant per field and per struct
  // (a tenth of a second per 100,000 segments in the compile).
  auto words = [&](const std::vector<uint32_t> &W, StringRef Name) {
    auto *G = new GlobalVariable(M, ArrayType::get(I32, W.size()), true,
                                 GlobalValue::PrivateLinkage,
                                 ConstantDataArray::get(Ctx, W), Name);
    return ConstantExpr::getPointerCast(G, PtrTy);
  };
  std::vector<uint32_t> SegW;
  SegW.reserve(Segments.size() * 6);
  for (const SegmentInfo &S : Segments)
    SegW.insert(SegW.end(),
                {S.Function, S.File, S.Line, S.Block, S.Flags, S.Callee});

  MD5 Hash;
  Hash.update(M.getSourceFileName());
  for (const FunctionInfo &F : Functions)
    Hash.update(F.LinkageName);
  for (const std::string &S : Checksums)
    Hash.update(S);
  Hash.update(ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(&BufferWords),
                                sizeof BufferWords));
  MD5::MD5Result R;
  Hash.final(R);

  uint32_t Flags = (Timing != TimingMode::None ? ModTiming : 0) |
                   (HasDebugInfo ? ModDebugInfo : 0);
  std::vector<uint32_t> EdgeW;
  EdgeW.reserve(Edges.size() * 5);
  for (const EdgeInfo &E : Edges)
    EdgeW.insert(EdgeW.end(), {E.Function, E.Src, E.Dst, E.Counter, E.Flags});
  auto *DescTy = StructType::get(I32, I32, I32, I32, I32, I32, I32, I32, PtrTy,
                                 PtrTy, PtrTy, PtrTy, PtrTy, PtrTy, I64, I32,
                                 PtrTy);
  Constant *Init = ConstantStruct::get(
      DescTy,
      {ConstantInt::get(I32, AbiVersion), ConstantInt::get(I32, Flags),
       ConstantInt::get(I32, NumBlocks), ConstantInt::get(I32, Segments.size()),
       ConstantInt::get(I32, Functions.size()),
       ConstantInt::get(I32, Files.size()), ConstantInt::get(I32, Callees.size()),
       ConstantInt::get(I32, NumGates), cstr(M.getSourceFileName(), "lp.module"),
       array(PtrTy, FileC, "lp.files"), array(PtrTy, SumC, "lp.sums"),
       array(FnTy, FnC, "lp.functions"), words(SegW, "lp.segments"),
       array(PtrTy, CalleeC, "lp.callees"), ConstantInt::get(I64, R.low()),
       ConstantInt::get(I32, Edges.size()), words(EdgeW, "lp.edges")});
  auto *NewDesc = new GlobalVariable(M, DescTy, true,
                                     GlobalValue::InternalLinkage, Init,
                                     "__lineprof_module");
  Desc->replaceAllUsesWith(ConstantExpr::getPointerCast(NewDesc, Desc->getType()));
  Desc->eraseFromParent();
  Desc = NewDesc;

  // Register at start-up, unregister when the image goes away (dlclose).
  auto *VoidFT = FunctionType::get(Type::getVoidTy(Ctx), false);
  Function *Boot = getOrCreateBoot();
  auto hook = [&](StringRef Name, StringRef Slot) {
    Function *F = Function::Create(VoidFT, GlobalValue::InternalLinkage, Name, M);
    F->addFnAttr(Attribute::NoUnwind);
    BasicBlock *Entry = BasicBlock::Create(Ctx, "entry", F);
    BasicBlock *Call = BasicBlock::Create(Ctx, "call", F);
    BasicBlock *Done = BasicBlock::Create(Ctx, "done", F);
    IRBuilder<> B(Entry);
    if (Slot == "__lineprof_rt_register")
      B.CreateCall(Boot, {});
    Value *Fn = B.CreateLoad(PtrTy, getOrCreateHidden(Slot, PtrTy));
    B.CreateCondBr(B.CreateIsNull(Fn), Done, Call);
    B.SetInsertPoint(Call);
    auto *HookTy = FunctionType::get(Type::getVoidTy(Ctx), {PtrTy}, false);
    B.CreateCall(HookTy, B.CreatePointerCast(Fn, pointerTo(HookTy)),
                 {ConstantExpr::getPointerCast(Desc, PtrTy)});
    B.CreateBr(Done);
    B.SetInsertPoint(Done);
    B.CreateRetVoid();
    return F;
  };
  appendToGlobalCtors(M, hook("__lineprof_ctor", "__lineprof_rt_register"), 0);
  appendToGlobalDtors(M, hook("__lineprof_dtor", "__lineprof_rt_unregister"), 0);
}

// Calls that replace the process image. The run is written before them.
static bool isExec(const Function *F) {
  if (!F)
    return false;
  StringRef N = F->getName();
  return N == "execv" || N == "execve" || N == "execvp" || N == "execvpe" ||
         N == "execl" || N == "execle" || N == "execlp" || N == "fexecve" ||
         N == "execveat";
}

// Before every exec call: __lineprof_rt_before_exec(), if the runtime is
// there.
void ModuleInstrumenter::instrumentExecCalls(Function &F) {
  SmallVector<CallBase *, 4> Execs;
  for (BasicBlock &BB : F)
    for (Instruction &I : BB)
      if (auto *CB = dyn_cast<CallBase>(&I))
        if (isExec(CB->getCalledFunction()))
          Execs.push_back(CB);
  for (CallBase *CB : Execs) {
    IRBuilder<> B(CB);
    Value *Hook =
        B.CreateLoad(PtrTy, getOrCreateHidden("__lineprof_rt_before_exec", PtrTy));
    Instruction *Then = SplitBlockAndInsertIfThen(B.CreateIsNotNull(Hook), CB,
                                                  false);
    IRBuilder<> TB(Then);
    auto *HookTy = FunctionType::get(Type::getVoidTy(Ctx), false);
    TB.CreateCall(HookTy, TB.CreatePointerCast(Hook, pointerTo(HookTy)));
  }
}

// The switch that turns profiling off at run time (LINEPROF=0, or off, no,
// false): every instrumented function has a plain copy, the function as
// clang produced it, and starts with a test of __lineprof_off that calls
// the copy when it is set. The copies call each other, so a run with
// profiling off spends its time in plain code, at the cost of a load and a
// branch per call of an instrumented function. The image's start-up code
// (__lineprof_boot, from the module constructor) sets the flag before
// main; code that runs earlier (other constructors) is counted into memory
// nobody reads.
//
// LINEPROF_PLAIN_COPIES=0 at compile time leaves the copies out: smaller
// code and a faster compile, and LINEPROF=0 then only keeps the runtime
// from loading.
static bool plainCopiesWanted() {
  const char *V = std::getenv("LINEPROF_PLAIN_COPIES");
  return !V || !*V || StringRef(V) != "0";
}

// A copy must behave exactly like the function: no variadic arguments to
// forward, no labels whose addresses the program keeps (computed goto
// tables point into the original), no frame escapes, no arguments that a
// second call could not pass on unchanged.
bool ModuleInstrumenter::canCopy(const Function &F) const {
  if (F.isVarArg() || F.hasFnAttribute(Attribute::ReturnsTwice))
    return false;
  for (const Argument &A : F.args())
    if (A.hasInAllocaAttr() || A.hasPreallocatedAttr() ||
        A.hasAttribute(Attribute::SwiftError) ||
        A.hasAttribute(Attribute::SwiftSelf))
      return false;
  for (const BasicBlock &BB : F) {
    if (BB.hasAddressTaken())
      return false;
    for (const Instruction &I : BB)
      if (const auto *II = dyn_cast<IntrinsicInst>(&I))
        if (II->getIntrinsicID() == Intrinsic::localescape)
          return false;
  }
  return true;
}

// Makes New, a function created beside F (its plain copy, its instrumented
// body), internal to the module and tied to F's comdat.
static void makeInternalSibling(Function &New, Function &F) {
  New.setLinkage(GlobalValue::InternalLinkage);
  New.setVisibility(GlobalValue::DefaultVisibility);
  New.setDLLStorageClass(GlobalValue::DefaultStorageClass);
  New.setComdat(F.getComdat());
  New.setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
}

// Sets the compile units' lists of enums, retained types, globals and
// imported entities aside for as long as it lives. CloneFunction maps
// every compile unit its function's subprogram belongs to, and all that
// the unit lists, to themselves, and walks all of it to find it, on every
// call: cloning each function of a unit took time in functions x unit size
// (2.4 of the pass's 2.9 s in an -O0 compile of sqlite3.c). Without the
// lists each clone walks what its own function refers to; a distinct node
// only the lists lead to is not reachable from a function body anyway.
class UnitListsAside {
  struct Saved {
    DICompileUnit *CU;
    MDTuple *Enums, *Retained, *Globals, *Imported;
  };
  SmallVector<Saved, 1> Units;

public:
  explicit UnitListsAside(Module &M) {
    for (DICompileUnit *CU : M.debug_compile_units()) {
      Units.push_back({CU, CU->getEnumTypes().get(),
                       CU->getRetainedTypes().get(),
                       CU->getGlobalVariables().get(),
                       CU->getImportedEntities().get()});
      CU->replaceEnumTypes(nullptr);
      CU->replaceRetainedTypes(nullptr);
      CU->replaceGlobalVariables(nullptr);
      CU->replaceImportedEntities(nullptr);
    }
  }
  ~UnitListsAside() {
    for (const Saved &S : Units) {
      S.CU->replaceEnumTypes(S.Enums);
      S.CU->replaceRetainedTypes(S.Retained);
      S.CU->replaceGlobalVariables(S.Globals);
      S.CU->replaceImportedEntities(S.Imported);
    }
  }
};

// Copies the functions before they are instrumented, and points the copies'
// direct calls of each other at the copies.
void ModuleInstrumenter::copyPlain(ArrayRef<Function *> Work) {
  if (!plainCopiesWanted())
    return;
  UnitListsAside Aside(M);
  for (Function *F : Work) {
    if (!canCopy(*F))
      continue;
    ValueToValueMapTy VMap;
    Function *P = CloneFunction(F, VMap);
    P->setName(F->getName() + ".lp.plain");
    makeInternalSibling(*P, *F);
    PlainCopy[F] = P;
  }
  for (auto &KV : PlainCopy)
    for (BasicBlock &BB : *KV.second)
      for (Instruction &I : BB)
        if (auto *CB = dyn_cast<CallBase>(&I)) {
          auto *Callee =
              dyn_cast<Function>(CB->getCalledOperand()->stripPointerCasts());
          auto It = Callee ? PlainCopy.find(Callee) : PlainCopy.end();
          if (It != PlainCopy.end() &&
              Callee->getFunctionType() == CB->getFunctionType())
            CB->setCalledOperand(It->second);
        }
}

// The test at the top of an instrumented function. Its constant-size
// allocas move up into the new entry block, so they stay static.
void ModuleInstrumenter::emitSwitch(Function &F, Function &Plain) {
  BasicBlock *Old = &F.getEntryBlock();
  BasicBlock *Entry = BasicBlock::Create(Ctx, "lp.switch", &F, Old);
  BasicBlock *Off = BasicBlock::Create(Ctx, "lp.off", &F, Old);
  for (auto It = Old->begin(); It != Old->end();) {
    Instruction &I = *It++;
    if (auto *AI = dyn_cast<AllocaInst>(&I))
      if (isa<ConstantInt>(AI->getArraySize()))
        AI->moveBefore(*Entry, Entry->end());
  }
  IRBuilder<> B(Entry);
  LoadInst *Flag = B.CreateLoad(I8, getOrCreateHidden("__lineprof_off", I8), "lp.off");
  BranchInst *Br = B.CreateCondBr(B.CreateICmpNE(Flag, B.getInt8(0)), Off,
                                  Old, UnlikelyWeights);
  // For LineProfSplitPass, which finds the switch by this mark.
  Br->setMetadata(Ctx.getMDKindID("lineprof.switch"), MDNode::get(Ctx, {}));
  B.SetInsertPoint(Off);
  SmallVector<Value *, 8> Args;
  for (Argument &A : F.args())
    Args.push_back(&A);
  CallInst *Call = B.CreateCall(&Plain, Args);
  Call->setCallingConv(F.getCallingConv());
  // The arguments' ABI attributes (byval, sret, zeroext...) must match the
  // callee's; function attributes stay the copy's own.
  AttributeList FA = F.getAttributes();
  SmallVector<AttributeSet, 8> ArgAttrs;
  for (unsigned I = 0; I < F.arg_size(); ++I)
    ArgAttrs.push_back(FA.getParamAttrs(I));
  Call->setAttributes(
      AttributeList::get(Ctx, AttributeSet(), FA.getRetAttrs(), ArgAttrs));
  // A musttail call keeps this return of its own: merged with the
  // function's other returns, it would make the function set up its frame
  // (save registers, reserve stack) before the test instead of after it.
  Call->setTailCallKind(CallInst::TCK_MustTail);
  // Inlined here, the copy would only make this function bigger.
  Call->addFnAttr(Attribute::NoInline);
  if (DISubprogram *SP = F.getSubprogram())
    Call->setDebugLoc(DILocation::get(Ctx, SP->getLine(), 0, SP));
  if (F.getReturnType()->isVoidTy())
    B.CreateRetVoid();
  else
    B.CreateRet(Call);
}

bool ModuleInstrumenter::run() {
  if (M.getNamedGlobal("__lineprof_module"))
    return false; // instrumented already (an LTO link, or opt run twice)
  Selection Select = Selection::fromEnvironment();
  SmallPtrSet<const Function *, 8> Marked = markedFunctions(M);
  SmallVector<Function *, 64> Work;
  for (Function &F : M) {
    if (!shouldInstrument(F))
      continue;
    std::string Name = F.getName().str();
    std::string File = M.getSourceFileName();
    if (DISubprogram *SP = F.getSubprogram())
      File = absolutePath(SP->getFile());
    std::string Shown = startsWith(StringRef(Name), "_Z") ? demangle(Name) : Name;
    if (Select.wants({Name, Shown, File}, Marked.count(&F)))
      Work.push_back(&F);
  }
  if (Work.empty())
    return false;

  HasDebugInfo = M.debug_compile_units_begin() != M.debug_compile_units_end();
  // clang -O0 marks every function optnone but those it must inline.
  Unoptimized = std::any_of(Work.begin(), Work.end(), [](Function *F) {
    return F->hasOptNone();
  });
  if (!HasDebugInfo)
    errs() << "lineprof: warning: " << M.getSourceFileName()
           << ": no debug info; compile with -g for line-level data "
              "(function-level data is still collected)\n";

  HitsBase = FnWords * Work.size();
  uint64_t Blocks = 0;
  for (Function *F : Work) {
    uint32_t Slots = F->size();
    EdgeLayout Layout;
    if (Timing == TimingMode::None && planEdgeCounters(*F, Layout)) {
      Slots = std::max(Slots, Layout.Counters);
      EdgeLayoutOf[F] = std::move(Layout);
    }
    Blocks += Slots;
    // A gate at the entry and at every loop header (loops have one each).
    if (Timing == TimingMode::Sampled)
      NumGates += 1 + FAM.getResult<LoopAnalysis>(*F).getLoopsInPreorder().size();
  }
  GatesBase = HitsBase + Blocks;
  TicksBase = GatesBase + GateWords * NumGates;

  for (Function *F : Work) { // on the code as clang made it
    if (!cannotReenter(*F) && Timing == TimingMode::None &&
        callsCannotReenter(*F, F))
      ReentersOnlyItself.insert(F);
    if (Timing != TimingMode::None)
      isBounded(*F);
  }
  copyPlain(Work);
  emitRuntimeGlue();
  for (Function *F : Work) {
    LLVM_DEBUG(dbgs() << "lineprof: instrumenting " << F->getName() << "\n");
    instrumentFunction(*F);
    instrumentExecCalls(*F);
    if (Unoptimized)
      reachThreadLocalsByCall(*F);
  }
  for (auto &KV : PlainCopy)
    emitSwitch(*KV.first, *KV.second);
  emitDescriptor();
  return true;
}

// Counter promotion for one location in one loop: the loop's loads and
// stores of the counter become an SSA value, loaded once in the preheader
// and stored at every exit, as LICM does for scalars. LICM cannot do it
// for counters in blocks that do not run on every iteration, because it
// must assume another thread could see the memory; a thread's counters are
// its own.
class CounterPromoter : public LoadAndStorePromoter {
  Value *Ptr;
  ArrayRef<BasicBlock *> Exits;
  unsigned Kind;

public:
  CounterPromoter(ArrayRef<const Instruction *> Insts, SSAUpdater &SSA,
                  Value *Ptr, ArrayRef<BasicBlock *> Exits, unsigned Kind)
      : LoadAndStorePromoter(Insts, SSA, "lp.counter"), Ptr(Ptr),
        Exits(Exits), Kind(Kind) {}
  void doExtraRewritesBeforeFinalDeletion() override {
    for (BasicBlock *Exit : Exits) {
      Value *V = SSA.GetValueInMiddleOfBlock(Exit);
      IRBuilder<> B(&*Exit->getFirstInsertionPt());
      StoreInst *St = B.CreateStore(V, Ptr);
      St->setMetadata(Kind, MDNode::get(Ptr->getContext(), {}));
    }
  }
};

// Is every call in L one that cannot reach the counters (our clock, or an
// intrinsic that touches no memory)? A call to anything else might come
// back into this module and count, so its loop keeps counting in memory.
static bool callFree(const Loop &L) {
  for (BasicBlock *BB : L.blocks())
    for (Instruction &I : *BB)
      if (auto *CB = dyn_cast<CallBase>(&I)) {
        // Inline assembly cannot name the counters (nothing gives it their
        // address), unless it calls into instrumented code.
        if (auto *Asm = dyn_cast<InlineAsm>(CB->getCalledOperand()))
          if (!StringRef(Asm->getAsmString()).contains("call"))
            continue;
        if (const Function *Callee = CB->getCalledFunction())
          if (Callee->getName() == "__lineprof_close" ||
              Callee->getName() == "__lineprof_close_bounded" ||
              Callee->getName() == "__lineprof_calibrate" ||
              Callee->getName() == "__lineprof_start" ||
              Callee->getName() == "__lineprof_gate")
            continue;
        if (isa<IntrinsicInst>(CB) && !CB->mayWriteToMemory())
          continue;
        // Markers (lifetime, assume, debug info) that touch no memory.
        if (auto *II = dyn_cast<IntrinsicInst>(CB))
          if (II->isAssumeLikeIntrinsic())
            continue;
        return false;
      }
  return true;
}

// The thread-local slot __lineprof_buffer that V names, or null. From
// LLVM 16 a thread-local address is read through llvm.threadlocal.address.
static GlobalVariable *bufferSlot(Value *V) {
  V = V->stripPointerCasts();
  if (auto *CB = dyn_cast<CallBase>(V))
    if (Function *F = CB->getCalledFunction())
      if (startsWith(F->getName(), "llvm.threadlocal.address"))
        V = CB->getArgOperand(0)->stripPointerCasts();
  auto *GV = dyn_cast<GlobalVariable>(V);
  return GV && GV->isThreadLocal() &&
                 startsWith(GV->getName(), "__lineprof_buffer")
             ? GV
             : nullptr;
}

// Is V a counter buffer: what inlined __lineprof_get_buffer calls return
// (the slot's value, or __lineprof_thread_enter's on a thread's first
// call), possibly through phis and selects? Sets Slot to its slot: one
// slot is one buffer, however many SSA values hold it.
static bool isBuffer(Value *V, GlobalVariable *&Slot,
                     SmallPtrSetImpl<Value *> &Seen) {
  V = V->stripPointerCasts();
  if (!Seen.insert(V).second)
    return true;
  GlobalVariable *GV = nullptr;
  if (auto *Ld = dyn_cast<LoadInst>(V)) {
    GV = bufferSlot(Ld->getPointerOperand());
  } else if (auto *CB = dyn_cast<CallBase>(V)) {
    Function *F = CB->getCalledFunction();
    if (F && F->getName() == "__lineprof_thread_enter")
      GV = bufferSlot(CB->getArgOperand(1));
  } else if (auto *Phi = dyn_cast<PHINode>(V)) {
    for (Value *In : Phi->incoming_values())
      if (!isBuffer(In, Slot, Seen))
        return false;
    return Slot != nullptr;
  } else if (auto *Sel = dyn_cast<SelectInst>(V)) {
    return isBuffer(Sel->getTrueValue(), Slot, Seen) &&
           isBuffer(Sel->getFalseValue(), Slot, Seen);
  }
  if (!GV || (Slot && Slot != GV))
    return false;
  Slot = GV;
  return true;
}

// A counter's address: its buffer's slot and its byte offset.
using CounterAddr = std::pair<GlobalVariable *, int64_t>;

// The constants that V may be, through phis, selects and integer casts
// (SimplifyCFG turns two GEPs with constant offsets into one GEP whose
// offset is a phi of the two). False if V may be anything else.
static bool constantsOf(Value *V, SmallVectorImpl<int64_t> &Out,
                        SmallPtrSetImpl<Value *> &Seen) {
  if (auto *C = dyn_cast<ConstantInt>(V)) {
    Out.push_back(C->getSExtValue());
    return true;
  }
  if (!Seen.insert(V).second)
    return true;
  if (auto *Phi = dyn_cast<PHINode>(V)) {
    for (Value *In : Phi->incoming_values())
      if (!constantsOf(In, Out, Seen))
        return false;
    return true;
  }
  if (auto *Sel = dyn_cast<SelectInst>(V))
    return constantsOf(Sel->getTrueValue(), Out, Seen) &&
           constantsOf(Sel->getFalseValue(), Out, Seen);
  if (isa<SExtInst>(V) || isa<ZExtInst>(V) || isa<TruncInst>(V))
    return constantsOf(cast<Instruction>(V)->getOperand(0), Out, Seen);
  return false;
}

// Does V point into a counter buffer, at any offset?
static bool intoBuffer(Value *V, SmallPtrSetImpl<Value *> &Seen) {
  V = V->stripPointerCasts();
  if (!Seen.insert(V).second)
    return false;
  GlobalVariable *Slot = nullptr;
  SmallPtrSet<Value *, 8> BufSeen;
  if (isBuffer(V, Slot, BufSeen))
    return true;
  if (auto *GEP = dyn_cast<GEPOperator>(V))
    return intoBuffer(GEP->getPointerOperand(), Seen);
  if (auto *Phi = dyn_cast<PHINode>(V))
    return any_of(Phi->incoming_values(),
                  [&](Value *In) { return intoBuffer(In, Seen); });
  if (auto *Sel = dyn_cast<SelectInst>(V))
    return intoBuffer(Sel->getTrueValue(), Seen) ||
           intoBuffer(Sel->getFalseValue(), Seen);
  return false;
}

// The counters that pointer P + Off may address, following phis and
// selects of addresses, and GEPs whose offset is a phi of constants. Out
// stays empty for the program's memory. False when P points into a buffer
// at an offset that cannot be enumerated.
static bool countersAt(Value *P, int64_t Off, const DataLayout &DL,
                       SmallVectorImpl<CounterAddr> &Out,
                       SmallPtrSetImpl<Value *> &Seen) {
  APInt Offset(DL.getIndexTypeSizeInBits(P->getType()), 0);
  Value *Base = P->stripAndAccumulateConstantOffsets(DL, Offset, true);
  Off += Offset.getSExtValue();
  GlobalVariable *Slot = nullptr;
  SmallPtrSet<Value *, 8> BufSeen;
  if (isBuffer(Base, Slot, BufSeen)) {
    Out.push_back({Slot, Off});
    return true;
  }
  if (!Seen.insert(Base).second)
    return true;
  if (auto *Phi = dyn_cast<PHINode>(Base)) {
    for (Value *In : Phi->incoming_values())
      if (!countersAt(In, Off, DL, Out, Seen))
        return false;
    return true;
  }
  if (auto *Sel = dyn_cast<SelectInst>(Base))
    return countersAt(Sel->getTrueValue(), Off, DL, Out, Seen) &&
           countersAt(Sel->getFalseValue(), Off, DL, Out, Seen);
  if (auto *GEP = dyn_cast<GEPOperator>(Base)) {
    SmallPtrSet<Value *, 8> IntoSeen;
    if (!intoBuffer(GEP->getPointerOperand(), IntoSeen))
      return true; // the program's memory
    // One index that is a phi of constants: each is one address.
    SmallVector<int64_t, 4> Indices;
    SmallPtrSet<Value *, 8> ConstSeen;
    if (GEP->getNumIndices() != 1 ||
        !constantsOf(*GEP->idx_begin(), Indices, ConstSeen))
      return false;
    int64_t Scale = DL.getTypeAllocSize(GEP->getSourceElementType());
    for (int64_t I : Indices)
      if (!countersAt(GEP->getPointerOperand(), Off + I * Scale, DL, Out, Seen))
        return false;
    return true;
  }
  SmallPtrSet<Value *, 8> IntoSeen;
  return !intoBuffer(Base, IntoSeen);
}

static bool promoteCounters(Loop &L, unsigned Kind) {
  BasicBlock *Preheader = L.getLoopPreheader();
  if (!Preheader || !L.hasDedicatedExits() || !callFree(L))
    return false;
  SmallVector<BasicBlock *, 8> Exits;
  L.getUniqueExitBlocks(Exits);
  for (BasicBlock *E : Exits)
    if (E->isEHPad())
      return false;
  // The loop's counter accesses, grouped by counter. They are found by
  // address, not by our metadata, which the optimizer drops when it merges
  // two accesses into one (SimplifyCFG sinks the increments of two blocks
  // into their successor, through a phi of the two addresses). An access
  // that may address several counters, or that uses a buffer pointer made
  // inside the loop, pins the counters it may touch to memory: a promoted
  // copy would store its own sum at the exits and lose the other's counts.
  const DataLayout &DL = Preheader->getModule()->getDataLayout();
  struct Group {
    SmallVector<Instruction *, 4> Insts;
    Value *Base = nullptr; // a buffer pointer from outside the loop
    bool Pinned = false;
  };
  MapVector<CounterAddr, Group> Groups;
  for (BasicBlock *BB : L.blocks())
    for (Instruction &I : *BB) {
      Value *P;
      if (auto *Ld = dyn_cast<LoadInst>(&I))
        P = Ld->isVolatile() ? nullptr : Ld->getPointerOperand();
      else if (auto *St = dyn_cast<StoreInst>(&I))
        P = St->isVolatile() ? nullptr : St->getPointerOperand();
      else
        continue;
      if (!P)
        continue;
      SmallVector<CounterAddr, 2> Addrs;
      SmallPtrSet<Value *, 8> Seen;
      if (!countersAt(P, 0, DL, Addrs, Seen))
        return false; // a counter we cannot name: promote nothing here
      if (Addrs.empty())
        continue; // the program's memory
      Type *AT = isa<LoadInst>(I) ? I.getType()
                                  : cast<StoreInst>(I).getValueOperand()->getType();
      if (!AT->isIntegerTy(64))
        return false; // wider than one counter (vectorized): leave the loop
      APInt Offset(DL.getIndexTypeSizeInBits(P->getType()), 0);
      Value *Base = P->stripAndAccumulateConstantOffsets(DL, Offset, true);
      bool Simple = Addrs.size() == 1 && L.isLoopInvariant(Base);
      for (const CounterAddr &A : Addrs) {
        Group &G = Groups[A];
        if (!Simple) {
          G.Pinned = true;
          continue;
        }
        G.Insts.push_back(&I);
        G.Base = Base;
      }
    }
  bool Changed = false;
  for (auto &Entry : Groups) {
    int64_t Off = Entry.first.second;
    Group &G = Entry.second;
    auto &Uses = G.Insts;
    bool HasStore = any_of(Uses, [](Instruction *I) { return isa<StoreInst>(I); });
    if (G.Pinned || !HasStore)
      continue;

    Value *Base = G.Base;
    Type *Ty = isa<LoadInst>(Uses[0]) ? Uses[0]->getType()
                                      : cast<StoreInst>(Uses[0])
                                            ->getValueOperand()
                                            ->getType();
    // One pointer for the counter, made in the preheader: it dominates the
    // loop and its exits, whichever GEP the loop used.
    IRBuilder<> PB(Preheader->getTerminator());
    Value *Ptr = PB.CreatePointerCast(
        PB.CreateConstInBoundsGEP1_64(
            Type::getInt8Ty(Base->getContext()),
            PB.CreatePointerCast(Base, pointerTo(Type::getInt8Ty(Base->getContext()))),
            Off),
        pointerTo(Ty));
    SmallVector<PHINode *, 16> NewPHIs;
    SSAUpdater SSA(&NewPHIs);
    SmallVector<const Instruction *, 8> ConstUses(Uses.begin(), Uses.end());
    CounterPromoter Promoter(ConstUses, SSA, Ptr, Exits, Kind);
    LoadInst *Init = PB.CreateLoad(Ty, Ptr, "lp.counter");
    Init->setMetadata(Kind, MDNode::get(Ptr->getContext(), {}));
    SSA.AddAvailableValue(Preheader, Init);
    SmallVector<Instruction *, 8> Work(Uses.begin(), Uses.end());
    Promoter.run(Work);
    Changed = true;
  }
  return Changed;
}

// Runs where the vectorizers start (after inlining and the loop passes, so
// __lineprof_get_buffer calls are merged and hoisted by then): inlines what
// is left of them and promotes the counters of call-free loops into
// registers. Before the vectorizers, because SLP would otherwise merge
// adjacent counter updates into vector read-modify-writes.
struct LineProfLowerPass : PassInfoMixin<LineProfLowerPass> {
  PreservedAnalyses run(Function &F, FunctionAnalysisManager &FAM) {
    SmallVector<CallBase *, 4> Calls;
    for (BasicBlock &BB : F)
      for (Instruction &I : BB)
        if (auto *CB = dyn_cast<CallBase>(&I))
          if (Function *Callee = CB->getCalledFunction())
            if (Callee->getName() == "__lineprof_get_buffer")
              Calls.push_back(CB);
    if (Calls.empty())
      return PreservedAnalyses::all();
    for (CallBase *CB : Calls) {
      InlineFunctionInfo IFI;
      InlineFunction(*CB, IFI);
    }
    FAM.invalidate(F, PreservedAnalyses::none());
    // At -O0 the fast register allocator keeps every value that lives
    // across blocks in a stack slot: a promoted counter is still memory,
    // and promotion only adds code (2.4% of sqlite3.c's).
    if (F.hasOptNone())
      return PreservedAnalyses::none();
    unsigned Kind = F.getContext().getMDKindID("lineprof.counter");
    LoopInfo &LI = FAM.getResult<LoopAnalysis>(F);
    DominatorTree &DT = FAM.getResult<DominatorTreeAnalysis>(F);
    // Passes since the last loop simplification (jump threading above all,
    // around the gates' timed paths) may have left loops without a
    // preheader or with shared exits; promotion needs both.
    for (Loop *L : LI)
      simplifyLoop(L, &DT, &LI, nullptr, nullptr, nullptr, false);
    // Inner loops first, so that an outer loop can take over the promoted
    // loads and stores of the loops inside it.
    SmallVector<Loop *, 16> Loops = LI.getLoopsInPreorder();
    for (Loop *L : reverse(Loops))
      promoteCounters(*L, Kind);
    return PreservedAnalyses::none();
  }
  static bool isRequired() { return true; }
};

// The end of the pipeline: each function that starts with the switch
// (emitSwitch) gives its instrumented body to a new internal function,
// F.lp.prof, and keeps only the test and two tail calls. Left in place, the
// body made the function save registers and reserve its stack before the
// test (the arguments are copied into callee-saved registers in the entry
// block), so a call with profiling off cost some twenty instructions more
// instead of three. Done after inlining, so that the instrumented callers
// still inline the instrumented callees. Direct calls between profiled
// bodies then skip the test.
struct LineProfSplitPass : PassInfoMixin<LineProfSplitPass> {
  // Returns F.lp.prof, or null when F has no switch.
  static Function *split(Function &F, unsigned SwitchKind) {
    BasicBlock &Entry = F.getEntryBlock();
    auto *Br = dyn_cast<BranchInst>(Entry.getTerminator());
    if (!Br || !Br->isConditional() || !Br->getMetadata(SwitchKind))
      return nullptr;
    // The optimizer may have inverted the test: the off side is the one
    // that tail-calls the plain copy.
    BasicBlock *Off = Br->getSuccessor(0), *On = Br->getSuccessor(1);
    auto plainCall = [](BasicBlock *BB) {
      auto *C = BB->empty() ? nullptr : dyn_cast<CallInst>(&BB->front());
      return C && C->isMustTailCall() ? C : nullptr;
    };
    if (!plainCall(Off))
      std::swap(Off, On);
    CallInst *Plain = plainCall(Off);
    if (!Plain || Off->hasNPredecessorsOrMore(2) || On == Off)
      return nullptr;
    Function *PlainFn = Plain->getCalledFunction();
    GlobalVariable *FlagVar = F.getParent()->getNamedGlobal("__lineprof_off");
    if (!PlainFn || !FlagVar)
      return nullptr;

    // The new function takes over every block, arguments and debug info.
    LLVMContext &Ctx = F.getContext();
    Function *Prof = Function::Create(F.getFunctionType(),
                                      GlobalValue::InternalLinkage,
                                      F.getName() + ".lp.prof", F.getParent());
    Prof->copyAttributesFrom(&F);
    makeInternalSibling(*Prof, F);
    Prof->setSubprogram(F.getSubprogram());
    F.setSubprogram(nullptr);
#if LLVM_VERSION_MAJOR >= 16
    Prof->splice(Prof->end(), &F);
#else
    Prof->getBasicBlockList().splice(Prof->end(), F.getBasicBlockList());
#endif
    SmallVector<Value *, 8> FArgs;
    for (unsigned I = 0; I < F.arg_size(); ++I) {
      Argument *A = F.getArg(I), *PA = Prof->getArg(I);
      PA->takeName(A);
      A->replaceAllUsesWith(PA);
      FArgs.push_back(A);
    }

    // In the body the test is gone: it always runs instrumented.
    Value *Cond = Br->getCondition();
    IRBuilder<>(Br).CreateBr(On);
    Br->eraseFromParent();
    RecursivelyDeleteTriviallyDeadInstructions(Cond); // the test and its load
    AttributeList PlainAttrs = Plain->getAttributes();
    CallingConv::ID PlainCC = Plain->getCallingConv();
    DeleteDeadBlock(Off);

    // The function itself: the test and two tail calls, no frame.
    BasicBlock *Test = BasicBlock::Create(Ctx, "", &F);
    BasicBlock *ToPlain = BasicBlock::Create(Ctx, "", &F);
    BasicBlock *ToProf = BasicBlock::Create(Ctx, "", &F);
    IRBuilder<> B(Test);
    Value *IsOff = B.CreateICmpNE(
        B.CreateLoad(B.getInt8Ty(), FlagVar), B.getInt8(0));
    // Profiling is on in the runs that matter for speed.
    B.CreateCondBr(IsOff, ToPlain, ToProf,
                   MDBuilder(Ctx).createBranchWeights(1, 1 << 20));
    auto tailCall = [&](BasicBlock *BB, Function *Callee, AttributeList Attrs,
                        CallingConv::ID CC) {
      IRBuilder<> TB(BB);
      CallInst *C = TB.CreateCall(Callee, FArgs);
      C->setAttributes(Attrs);
      C->setCallingConv(CC);
      // At -O0 an ordinary call: the frame costs nothing there that the
      // -O0 code does not pay anyway, and the fast instruction selector
      // takes no tail call (it handed both calls of every function to
      // SelectionDAG).
      C->setTailCallKind(F.hasOptNone() ? CallInst::TCK_None
                                        : CallInst::TCK_MustTail);
      C->addFnAttr(Attribute::NoInline);
      if (F.getReturnType()->isVoidTy())
        TB.CreateRetVoid();
      else
        TB.CreateRet(C);
    };
    tailCall(ToPlain, PlainFn, PlainAttrs, PlainCC);
    tailCall(ToProf, Prof, PlainAttrs, F.getCallingConv());
    return Prof;
  }

  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    unsigned Kind = M.getContext().getMDKindID("lineprof.switch");
    SmallVector<Function *, 64> Fns;
    for (Function &F : M)
      if (!F.isDeclaration())
        Fns.push_back(&F);
    DenseMap<Function *, Function *> ProfOf;
    for (Function *F : Fns)
      if (Function *Prof = split(*F, Kind))
        ProfOf[F] = Prof;
    // A profiled body only runs with profiling on: its direct calls go
    // straight to their callees' profiled bodies, past the test, and the
    // tests of the callees inlined into it are false.
    GlobalVariable *FlagVar = M.getNamedGlobal("__lineprof_off");
    for (auto &[F, Prof] : ProfOf) {
      for (Instruction &I : instructions(*Prof))
        if (auto *CB = dyn_cast<CallBase>(&I))
          if (Function *To = ProfOf.lookup(CB->getCalledFunction()))
            if (CB->getFunctionType() == To->getFunctionType())
              CB->setCalledFunction(To);
      if (FlagVar)
        dropInlinedSwitches(*Prof, FlagVar);
    }
    return ProfOf.empty() ? PreservedAnalyses::all() : PreservedAnalyses::none();
  }

  // An instrumented callee inlined into an instrumented caller keeps its
  // test of __lineprof_off, a load and a branch to a call of its plain
  // copy, which the profiled body never takes: the flag is set once, at
  // start-up, and a profiled body only runs when it is clear. (A body that
  // runs before the start-up code and then calls it keeps running
  // instrumented, counting into scratch memory when the runtime is off;
  // the program computes the same either way.) The loads become 0 and the
  // branches on them go.
  static void dropInlinedSwitches(Function &F, GlobalVariable *FlagVar) {
    const DataLayout &DL = F.getParent()->getDataLayout();
    SmallVector<Instruction *, 16> Work;
    for (Instruction &I : instructions(F))
      if (auto *L = dyn_cast<LoadInst>(&I))
        if (L->getPointerOperand()->stripPointerCasts() == FlagVar &&
            !L->isVolatile())
          Work.push_back(L);
    if (Work.empty())
      return;
    SmallSetVector<Instruction *, 16> Folded;
    SmallSetVector<BasicBlock *, 16> Branches;
    while (!Work.empty()) {
      Instruction *I = Work.pop_back_val();
      if (Folded.count(I))
        continue;
      Constant *C = isa<LoadInst>(I) ? Constant::getNullValue(I->getType())
                                     : ConstantFoldInstruction(I, DL);
      if (!C)
        continue;
      for (User *U : I->users())
        if (auto *UI = dyn_cast<Instruction>(U)) {
          if (UI->isTerminator())
            Branches.insert(UI->getParent());
          else
            Work.push_back(UI);
        }
      I->replaceAllUsesWith(C);
      Folded.insert(I);
    }
    for (Instruction *I : Folded)
      if (isInstructionTriviallyDead(I))
        I->eraseFromParent();
    for (BasicBlock *BB : Branches)
      ConstantFoldTerminator(BB, /*DeleteDeadConditions=*/true);
    removeUnreachableBlocks(F);
  }
  static bool isRequired() { return true; }
};

struct LineProfPass : PassInfoMixin<LineProfPass> {
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &MAM) {
    auto &FAM = MAM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
    if (!ModuleInstrumenter(M, FAM).run())
      return PreservedAnalyses::all();
    return PreservedAnalyses::none();
  }
  // Without this, clang -O0 marks functions optnone and skips the pass.
  static bool isRequired() { return true; }
};

} // namespace

// The major version of the LLVM library the host (clang, opt) runs on, from
// the name of the libLLVM it loaded: 0 when it is linked statically. Uses
// libc only: LLVM's own functions cannot be trusted before this check.
static int hostLLVMMajor() {
  int Major = 0;
  dl_iterate_phdr(
      [](struct dl_phdr_info *Info, size_t, void *Data) {
        const char *Name = Info->dlpi_name ? Info->dlpi_name : "";
        const char *Base = std::strrchr(Name, '/');
        Base = Base ? Base + 1 : Name;
        int V = 0;
        if (std::sscanf(Base, "libLLVM-%d", &V) == 1 ||
            std::sscanf(Base, "libLLVM.so.%d", &V) == 1) {
          *static_cast<int *>(Data) = V;
          return 1;
        }
        return 0;
      },
      &Major);
  return Major;
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  // A plugin runs inside the compiler and must match its LLVM exactly;
  // refuse, with a message, rather than crash in the middle of a build.
  int Host = hostLLVMMajor();
  if (Host && Host != LLVM_VERSION_MAJOR) {
    std::fprintf(stderr,
                 "lineprof: error: this libline.so was built for LLVM %d, "
                 "but the compiler runs LLVM %d; build lineprof with "
                 "LLVM_VERSION=%d (make LLVM_VERSION=%d)\n",
                 LLVM_VERSION_MAJOR, Host, Host, Host);
    return {0, "lineprof", LINEPROF_VERSION, [](PassBuilder &) {}};
  }
  return {LLVM_PLUGIN_API_VERSION, "lineprof", LINEPROF_VERSION,
          [](PassBuilder &PB) {
            PB.registerPipelineStartEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel) {
                  MPM.addPass(LineProfPass());
                });
            PB.registerOptimizerLastEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel, auto...) {
                  MPM.addPass(LineProfSplitPass());
                });
            PB.registerVectorizerStartEPCallback(
                [](FunctionPassManager &FPM, OptimizationLevel) {
                  FPM.addPass(LineProfLowerPass());
                });
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name == "lineprof")
                    MPM.addPass(LineProfPass());
                  else if (Name == "lineprof-split")
                    MPM.addPass(LineProfSplitPass());
                  else
                    return false;
                  return true;
                });
            PB.registerPipelineParsingCallback(
                [](StringRef Name, FunctionPassManager &FPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name != "lineprof-lower")
                    return false;
                  FPM.addPass(LineProfLowerPass());
                  return true;
                });
          }};
}
