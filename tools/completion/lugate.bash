# bash completion for lugate(8)
_lugate()
{
    local cur prev words cword
    _init_completion || return
    local verbs="handoff manifest check inspect embed seal load bundle status history"
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$verbs --help --version" -- "$cur"))
        return
    fi
    case $prev in
        --devices|--manifest|--policy|--handoff|--kernel|--initrd|--fallback|--fallback-initrd|\
        --loader|-o|--output|--sysfs|--kexec|--table|--outgoing-image)
            _filedir
            return ;;
        --runtime-dir|--state-dir)
            _filedir -d
            return ;;
        --append|--fallback-append|--release)
            return ;;
    esac
    local opts
    case ${words[1]} in
        handoff)
            if [[ $cword -eq 2 ]]; then COMPREPLY=($(compgen -W "build show" -- "$cur")); return; fi
            opts="--devices --release --sysfs --from-running --output -o --json --help" ;;
        manifest)
            if [[ $cword -eq 2 ]]; then COMPREPLY=($(compgen -W "build show" -- "$cur")); return; fi
            opts="--output -o --help" ;;
        check) opts="--handoff --manifest --kernel --policy --outgoing-image --state-dir --json --quiet -q --help" ;;
        status) opts="--json --record --state-dir --cold-ok --help" ;;
        history) opts="--json --state-dir --help" ;;
        inspect) opts="--json --help" ;;
        embed) opts="--manifest --output -o --replace --help" ;;
        seal) opts="--handoff --kernel --fallback --policy --output -o --json --help" ;;
        load) opts="--kernel --initrd --append --reuse-cmdline --handoff --devices --from-running --sysfs
                    --fallback --fallback-initrd --policy --loader --kexec --runtime-dir --dry-run --kho --no-kho
                    --outgoing-image --json --quiet --help --on-stop" ;;
        bundle)
            if [[ $cword -eq 2 ]]; then COMPREPLY=($(compgen -W "build show" -- "$cur")); return; fi
            if [[ ${words[2]} == show ]]; then opts="--json --help"
            else opts="--table --kernel --initrd --append --fallback --fallback-initrd --fallback-append
                       --allow-refused-target --output -o --help"; fi ;;
        *) opts="--help" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        _filedir
    fi
} && complete -F _lugate lugate
